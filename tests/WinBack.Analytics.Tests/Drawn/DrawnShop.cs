namespace WinBack.Analytics.Tests.Drawn;

/// <summary>The process a shop's customers are drawn from.</summary>
public enum Process
{
    /// <summary>BG/NBD: a drop-out coin after each repeat purchase (A, B the beta of its chance).</summary>
    BgNbd,

    /// <summary>MBG/NBD: the same coin after the first purchase too.</summary>
    MbgNbd,

    /// <summary>Pareto/NBD: an exponential lifetime whose rate is Gamma(A, B) (A = s, B = β).</summary>
    ParetoNbd,
}

/// <summary>
/// A shop drawn from a purchase model with known parameters (weeks): first purchases spread evenly over
/// <paramref name="AcquisitionDays"/>, calibration ending <paramref name="CalibrationDays"/> after the first of them, dates in
/// whole days. Purchases on one day are not merged, so the customers follow the model up to the rounding to days; with
/// <paramref name="ByDay"/> they are, as a shop's orders reach the models (a repeat purchase is a later day's).
/// </summary>
public sealed record DrawnShop(string Name, double R, double Alpha, double A, double B, int Customers, int AcquisitionDays, int CalibrationDays, int Seed,
    Process Process = Process.BgNbd, bool ByDay = false)
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
            if (ByDay)
            {
                // As a shop's orders reach the models: purchases on one day are one purchase day, the first day's repeats none.
                var days = repeats.Select(t => (int)t).Where(d => d > 0).Distinct().ToList();
                customers.Add(new RepeatBuyer(days.Count, days.LastOrDefault() / 7.0, ageDays / 7.0));
            }
            else customers.Add(new RepeatBuyer(repeats.Count, Math.Round(repeats.LastOrDefault()) / 7, ageDays / 7.0));
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
    /// One customer's repeat purchases, in days after the first, up to <paramref name="days"/>: a purchase rate λ ~ Gamma(r, α)
    /// a week; Poisson purchases at λ until the customer leaves (see <see cref="Process"/>; a drop-out chance p = 0 when a = 0).
    /// </summary>
    private List<double> RepeatPurchases(Random random, double days)
    {
        var ratePerDay = RandomDraws.Gamma(random, R) / Alpha / 7;
        var dropout = Process == Process.ParetoNbd || A == 0 ? 0 : RandomDraws.Beta(random, A, B);
        var lifetimeDays = Process == Process.ParetoNbd ? RandomDraws.Exponential(random, RandomDraws.Gamma(random, A) / B / 7) : double.PositiveInfinity;
        var purchases = new List<double>();
        if (Process == Process.MbgNbd && random.NextDouble() < dropout) return purchases;
        for (var t = RandomDraws.Exponential(random, ratePerDay); t <= days && t <= lifetimeDays; t += RandomDraws.Exponential(random, ratePerDay))
        {
            purchases.Add(t);
            if (random.NextDouble() < dropout) break;
        }
        return purchases;
    }
}
