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
/// whole days. Purchases on one day are not merged, so the customers follow the model up to the rounding to days.
/// </summary>
public sealed record DrawnShop(string Name, double R, double Alpha, double A, double B, int Customers, int AcquisitionDays, int CalibrationDays, int Seed,
    Process Process = Process.BgNbd)
{
    public override string ToString() => Name;

    /// <summary>
    /// Each customer: a purchase rate λ ~ Gamma(r, α) a week; Poisson purchases at λ after the first until the customer
    /// leaves (see <see cref="Process"/>; a drop-out chance p = 0 when a = 0); summarised to (x, t_x, T).
    /// </summary>
    public List<RepeatBuyer> Draw()
    {
        var random = new Random(Seed);
        var customers = new List<RepeatBuyer>(Customers);
        for (var i = 0; i < Customers; i++)
        {
            var ageDays = CalibrationDays - random.Next(AcquisitionDays);
            var ratePerDay = Sampling.Gamma(random, R) / Alpha / 7;
            var dropout = Process == Process.ParetoNbd || A == 0 ? 0 : Sampling.Beta(random, A, B);
            var lifetimeDays = Process == Process.ParetoNbd ? Sampling.Exponential(random, Sampling.Gamma(random, A) / B / 7) : double.PositiveInfinity;
            var leftAtFirst = Process == Process.MbgNbd && random.NextDouble() < dropout;
            double t = 0, last = 0;
            var x = 0;
            while (!leftAtFirst)
            {
                t += Sampling.Exponential(random, ratePerDay);
                if (t > ageDays || t > lifetimeDays) break;
                (x, last) = (x + 1, t);
                if (random.NextDouble() < dropout) break;
            }
            customers.Add(new RepeatBuyer(x, Math.Round(last) / 7, ageDays / 7.0));
        }
        return customers;
    }
}
