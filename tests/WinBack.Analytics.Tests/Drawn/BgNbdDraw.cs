namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A shop drawn from BG/NBD with known parameters (weeks): first purchases spread evenly over
/// <paramref name="AcquisitionDays"/>, calibration ending <paramref name="CalibrationDays"/> after the first of them, dates in
/// whole days. Purchases on one day are not merged, so the customers follow the model up to the rounding to days.
/// </summary>
public sealed record DrawnShop(string Name, double R, double Alpha, double A, double B, int Customers, int AcquisitionDays, int CalibrationDays, int Seed)
{
    public override string ToString() => Name;

    /// <summary>Each customer's first purchase and repeat purchases (see <see cref="RepeatPurchases"/>), summarised to (x, t_x, T).</summary>
    public List<RepeatBuyer> Draw()
    {
        var random = new Random(Seed);
        var customers = new List<RepeatBuyer>(Customers);
        for (var i = 0; i < Customers; i++)
        {
            var ageDays = CalibrationDays - random.Next(AcquisitionDays);
            var repeats = RepeatPurchases(random, ageDays);
            customers.Add(new RepeatBuyer(repeats.Count, Math.Round(repeats.LastOrDefault()) / 7, ageDays / 7.0));
        }
        return customers;
    }

    /// <summary>
    /// The same customers' purchase days up to <paramref name="lastDay"/> days after <paramref name="firstDay"/> (the day the
    /// first customer arrives), calibration and beyond: a purchase at t days after a first purchase on day d falls on day d + ⌊t⌋.
    /// </summary>
    public List<List<DateOnly>> DrawPurchaseDays(DateOnly firstDay, int lastDay)
    {
        var random = new Random(Seed);
        var customers = new List<List<DateOnly>>(Customers);
        for (var i = 0; i < Customers; i++)
        {
            var first = firstDay.AddDays(random.Next(AcquisitionDays));
            var repeats = RepeatPurchases(random, lastDay + 1 - (first.DayNumber - firstDay.DayNumber));
            customers.Add([first, .. repeats.Select(t => first.AddDays((int)t))]);
        }
        return customers;
    }

    /// <summary>
    /// One customer's repeat purchases, in days after the first, up to <paramref name="days"/>: a purchase rate λ ~ Gamma(r, α) a
    /// week and a drop-out chance p ~ Beta(a, b) (p = 0 when a = 0); Poisson purchases at λ, and after each a coin with chance
    /// p ends the customer.
    /// </summary>
    private List<double> RepeatPurchases(Random random, double days)
    {
        var ratePerDay = Gamma(random, R) / Alpha / 7;
        var dropout = A == 0 ? 0 : Beta(random, A, B);
        var purchases = new List<double>();
        for (var t = 0.0; ;)
        {
            t += -Math.Log(1 - random.NextDouble()) / ratePerDay;
            if (t > days) return purchases;
            purchases.Add(t);
            if (random.NextDouble() < dropout) return purchases;
        }
    }

    /// <summary>Marsaglia and Tsang's method; shapes below 1 are boosted by one and scaled back by U^(1/shape).</summary>
    private static double Gamma(Random random, double shape)
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

    private static double Beta(Random random, double a, double b)
    {
        var x = Gamma(random, a);
        return x / (x + Gamma(random, b));
    }
}
