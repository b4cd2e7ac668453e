namespace WinBack.Analytics;

/// <summary>Draws from the distributions the purchase models assume, for simulated shops and tests (seeded, so repeatable).</summary>
public static class RandomDraws
{
    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang's method; shapes below 1 are boosted by one and scaled back by U^(1/shape).</summary>
    public static double Gamma(Random random, double shape)
    {
        if (shape < 1) return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = 1 + c * z;
            } while (v <= 0);
            v = v * v * v;
            if (Math.Log(1 - random.NextDouble()) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    public static double Beta(Random random, double a, double b)
    {
        var x = Gamma(random, a);
        return x / (x + Gamma(random, b));
    }

    /// <summary>An exponential waiting time at <paramref name="rate"/> events per unit of time.</summary>
    public static double Exponential(Random random, double rate) => -Math.Log(1 - random.NextDouble()) / rate;
}

/// <summary>
/// The buy-till-you-die process BG/NBD describes, to draw customers from (time in weeks): each customer buys at a rate
/// λ ~ Gamma(r, α) while active, and after each repeat purchase stops for good with chance p ~ Beta(a, b) (never when a = 0).
/// </summary>
public sealed record BuyTillYouDie(double R, double Alpha, double A, double B)
{
    /// <summary>A shop as shops look: most customers buy once, rates vary a hundredfold, and about a third of
    /// those who come back stop after any order.</summary>
    public static BuyTillYouDie TypicalShop { get; } = new(R: 0.25, Alpha: 8, A: 1.2, B: 2.4);

    /// <summary>
    /// One customer's repeat purchases, as weeks after their first purchase, up to <paramref name="ageWeeks"/> (their
    /// first purchase at 0 is not listed): added to <paramref name="repeats"/>, which is cleared first.
    /// </summary>
    public void DrawRepeatPurchases(Random random, double ageWeeks, List<double> repeats)
    {
        repeats.Clear();
        var rate = RandomDraws.Gamma(random, R) / Alpha;
        var dropout = A == 0 ? 0 : RandomDraws.Beta(random, A, B);
        for (var t = RandomDraws.Exponential(random, rate); t <= ageWeeks; t += RandomDraws.Exponential(random, rate))
        {
            repeats.Add(t);
            if (random.NextDouble() < dropout) return;
        }
    }
}
