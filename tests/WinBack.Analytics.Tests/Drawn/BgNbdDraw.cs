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

    /// <summary>One customer's repeat purchases, in days after the first, up to <paramref name="days"/> (<see cref="BuyTillYouDie"/>).</summary>
    private List<double> RepeatPurchases(Random random, double days)
    {
        var weeks = new List<double>();
        new BuyTillYouDie(R, Alpha, A, B).DrawRepeatPurchases(random, days / 7, weeks);
        return weeks.ConvertAll(w => w * 7);
    }
}
