namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A shop drawn from BG/NBD with known parameters (weeks): first purchases spread evenly over
/// <paramref name="AcquisitionDays"/>, calibration ending <paramref name="CalibrationDays"/> after the first of them, dates in
/// whole days. Purchases on one day are not merged, so the customers follow the model up to the rounding to days.
/// </summary>
public sealed record DrawnShop(string Name, double R, double Alpha, double A, double B, int Customers, int AcquisitionDays, int CalibrationDays, int Seed)
{
    public override string ToString() => Name;

    /// <summary>
    /// Each customer: a purchase rate λ ~ Gamma(r, α) a week and a drop-out chance p ~ Beta(a, b) (p = 0 when a = 0); Poisson
    /// purchases at λ after the first, and after each one a coin with chance p ends the customer; summarised to (x, t_x, T).
    /// </summary>
    public List<RepeatBuyer> Draw()
    {
        var random = new Random(Seed);
        var customers = new List<RepeatBuyer>(Customers);
        for (var i = 0; i < Customers; i++)
        {
            var ageDays = CalibrationDays - random.Next(AcquisitionDays);
            var ratePerDay = Gamma(random, R) / Alpha / 7;
            var dropout = A == 0 ? 0 : Beta(random, A, B);
            double t = 0, last = 0;
            var x = 0;
            while (true)
            {
                t += -Math.Log(1 - random.NextDouble()) / ratePerDay;
                if (t > ageDays) break;
                (x, last) = (x + 1, t);
                if (random.NextDouble() < dropout) break;
            }
            customers.Add(new RepeatBuyer(x, Math.Round(last) / 7, ageDays / 7.0));
        }
        return customers;
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
