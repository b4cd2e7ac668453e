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
        var process = new BuyTillYouDie(R, Alpha, A, B);
        var customers = new List<RepeatBuyer>(Customers);
        var repeats = new List<double>();
        for (var i = 0; i < Customers; i++)
        {
            var ageDays = CalibrationDays - random.Next(AcquisitionDays);
            process.DrawRepeatPurchases(random, ageDays / 7.0, repeats);
            customers.Add(new RepeatBuyer(repeats.Count, repeats.Count == 0 ? 0 : Math.Round(repeats[^1] * 7) / 7, ageDays / 7.0));
        }
        return customers;
    }
}
