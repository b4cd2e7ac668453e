using System.Runtime.InteropServices;
using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// The BG/NBD model (Fader, Hardie &amp; Lee 2005): while alive a customer buys at a Poisson rate (gamma-distributed
/// across customers, r and α), and after each purchase drops out with a probability (beta-distributed, a and b).
/// Everything is computed in log space, so large frequencies neither overflow nor turn into NaN.
/// </summary>
public sealed record BetaGeometricNbd(double R, double Alpha, double A, double B)
{
    /// <summary>Below this many repeat buyers the fit says "not enough data" rather than guess.</summary>
    public const int MinimumRepeatCustomers = 5;

    private static readonly double LowerLog = Math.Log(1e-4);
    private static readonly double UpperLog = Math.Log(1e3);

    /// <summary>The log-likelihood of one customer (the stable form of Hardie's note 027).</summary>
    public double LogLikelihood(RepeatBuyer c) =>
        LogLikelihood(c.Frequency, CountTerm(c.Frequency), DropoutTerm(c.Frequency), Math.Log(Alpha + c.Age), Math.Log(Alpha + c.Recency));

    /// <summary>The terms of the likelihood that depend on x alone (A1 + A2 of the reference), computed once per x when fitting.</summary>
    internal double CountTerm(double x) =>
        LogGamma(R + x) - LogGamma(R) + R * Math.Log(Alpha) + LogGamma(A + B) + LogGamma(B + x) - LogGamma(B) - LogGamma(A + B + x);

    /// <summary>ln(a / (b + x − 1)): the chance of having dropped out after the last purchase; none without repeat purchases.</summary>
    internal double DropoutTerm(double x) => x > 0 ? Math.Log(A) - Math.Log(B + x - 1) : double.NegativeInfinity;

    /// <summary>The likelihood from its parts, with ln(α + T) and ln(α + t_x) given.</summary>
    internal double LogLikelihood(double x, double countTerm, double dropoutTerm, double logAge, double logRecency) =>
        countTerm + LogAddExp(-(R + x) * logAge, dropoutTerm - (R + x) * logRecency);

    public double LogLikelihood(IReadOnlyList<RepeatBuyer> customers)
    {
        var sum = 0.0;
        foreach (var c in customers) sum += LogLikelihood(c);
        return sum;
    }

    /// <summary>P(alive | x, t_x, T): 1 for a customer with no repeat purchase (a BG/NBD property).</summary>
    public double ProbabilityAlive(RepeatBuyer c)
    {
        if (c.Frequency == 0) return 1;
        double x = c.Frequency;
        var logOdds = (R + x) * Math.Log((Alpha + c.Age) / (Alpha + c.Recency)) + Math.Log(A / (B + x - 1));
        return logOdds > 700 ? 0 : 1 / (1 + Math.Exp(logOdds));
    }

    /// <summary>
    /// Expected purchases in the next <paramref name="t"/> time units (paper eq. 10), with Euler's transformation of the
    /// ₂F₁ so the series never sees the large parameters r + x and b + x.
    /// </summary>
    public double ExpectedPurchases(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        double x = c.Frequency;
        var z = t / (Alpha + c.Age + t);
        var tail = Math.Exp((A - 1) * Math.Log((Alpha + c.Age) / (Alpha + c.Age + t)) + LogHypergeometric2F1(A + B - 1 - R, A - 1, A + B + x - 1, z));
        return (A + B + x - 1) / (A - 1) * (1 - tail) * ProbabilityAlive(c);
    }

    /// <summary>Expected purchases of a new customer in their first <paramref name="t"/> time units (paper eq. 9): eq. 10 with no history.</summary>
    public double ExpectedPurchasesOfNewCustomer(double t) => ExpectedPurchases(new RepeatBuyer(0, 0, 0), t);

    /// <summary>P(X(t) = n): the chance that a new customer makes exactly n purchases in their first t time units (paper eq. 8), in log space.</summary>
    public double ProbabilityOfPurchases(double t, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (t <= 0) return n == 0 ? 1 : 0;
        var logStay = Math.Log(Alpha / (Alpha + t));
        var logBuy = Math.Log(t / (Alpha + t));
        // ln of Γ(r+j)/(Γ(r) j!) · (α/(α+t))^r · (t/(α+t))^j: the negative binomial count while alive.
        double LogCount(int j) => LogGamma(R + j) - LogGamma(R) - LogGamma(j + 1) + R * logStay + j * logBuy;
        var logBetaAB = LogBeta(A, B);
        var stillAlive = Math.Exp(LogBeta(A, B + n) - logBetaAB + LogCount(n));
        if (n == 0) return stillAlive;
        var fewerThanN = 0.0;
        for (var j = 0; j < n; j++) fewerThanN += Math.Exp(LogCount(j));
        var droppedOut = Math.Exp(LogBeta(A + 1, B + n - 1) - logBetaAB) * Math.Max(0, 1 - fewerThanN);
        return stillAlive + droppedOut;
    }

    /// <summary>
    /// The customer's expected purchase rate if still active: the posterior mean (r + x) / (α + T), their own orders blended
    /// with the shop's typical rate. Its inverse is the expected gap between orders, in the model's time unit.
    /// </summary>
    public double RateIfActive(RepeatBuyer c) => (R + c.Frequency) / (Alpha + c.Age);

    /// <summary>
    /// Predicted value over the coming <paramref name="months"/> (lifetimes' discounted CLV): each month's expected purchases
    /// (eq. 10 differences) times <paramref name="spendPerOrder"/>, discounted by <paramref name="monthlyDiscountRate"/> per
    /// month. <paramref name="unitsPerMonth"/> converts months to the model's time unit (4.345 for weeks).
    /// </summary>
    public double DiscountedValue(RepeatBuyer c, double spendPerOrder, int months = 12, double monthlyDiscountRate = 0.01, double unitsPerMonth = 4.345)
    {
        var value = 0.0;
        var before = 0.0;
        for (var k = 1; k <= months; k++)
        {
            var upTo = ExpectedPurchases(c, k * unitsPerMonth);
            value += spendPerOrder * (upTo - before) / Math.Pow(1 + monthlyDiscountRate, k);
            before = upTo;
        }
        return value;
    }

    /// <summary>
    /// Fits r, α, a, b by maximum likelihood (BFGS on the logs of the parameters, so they stay positive). Customers with
    /// the same (x, t_x, T) are one weighted term: with times in whole days, a million customers are a few thousand terms.
    /// </summary>
    public static (BetaGeometricNbd Model, double LogLikelihood) Fit(IReadOnlyList<RepeatBuyer> customers)
    {
        if (customers.Count(c => c.Frequency > 0) < MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The purchase model needs at least {MinimumRepeatCustomers} customers who bought more than once.");
        var data = new GroupedCustomers(customers);
        var meanAge = customers.Average(c => c.Age);
        double[] start = [0, Math.Log(Math.Max(meanAge, 1e-3)), 0, 0];
        var result = Bfgs.Minimise(p =>
        {
            var ll = data.LogLikelihood(FromLogs(p));
            return double.IsFinite(ll) ? -ll : double.NaN;
        }, start);
        if (!result.Point.All(double.IsFinite) || !double.IsFinite(result.Value))
            throw new NotEnoughDataException("The purchase data do not pin the model down (the fit did not settle); showing the fixed-weeks rule only.");
        return (FromLogs(result.Point), -result.Value);
    }

    /// <summary>
    /// Parameters from their logs, bounded to [1e-4, 1e3]: a shop with no sign of differing drop-out rates sends a and b
    /// to infinity together, a limit the bound stands in for (and where the ₂F₁ series stays within double range).
    /// </summary>
    private static BetaGeometricNbd FromLogs(double[] p)
    {
        static double Bounded(double log) => Math.Exp(Math.Clamp(log, LowerLog, UpperLog));
        return new BetaGeometricNbd(Bounded(p[0]), Bounded(p[1]), Bounded(p[2]), Bounded(p[3]));
    }
}

/// <summary>Too few, or too uniform, customers for a model: the product shows "not enough data" instead of a number.</summary>
public sealed class NotEnoughDataException(string message) : Exception(message);

/// <summary>
/// Customers folded for fitting: equal (x, t_x, T) become one weighted term, and every part of the likelihood that
/// depends on x, T or t_x alone is computed once per distinct value, so a million customers cost a few thousand log-gammas.
/// </summary>
internal sealed class GroupedCustomers
{
    private readonly double[] _xs, _ages, _recencies;
    private readonly int[] _xIndex, _ageIndex, _recencyIndex;
    private readonly double[] _counts;

    public GroupedCustomers(IReadOnlyList<RepeatBuyer> customers)
    {
        // Counted in a dictionary rather than grouped: a million customers should not become a million lists.
        var counts = new Dictionary<(int Frequency, double Recency, double Age), int>();
        foreach (var c in customers) CollectionsMarshal.GetValueRefOrAddDefault(counts, (c.Frequency, c.Recency, c.Age), out _)++;
        var groups = counts.Select(g => (g.Key, Count: g.Value)).ToArray();
        _xs = groups.Select(g => (double)g.Key.Frequency).Distinct().Order().ToArray();
        _ages = groups.Select(g => g.Key.Age).Distinct().Order().ToArray();
        _recencies = groups.Select(g => g.Key.Recency).Distinct().Order().ToArray();
        _xIndex = groups.Select(g => Array.BinarySearch(_xs, (double)g.Key.Frequency)).ToArray();
        _ageIndex = groups.Select(g => Array.BinarySearch(_ages, g.Key.Age)).ToArray();
        _recencyIndex = groups.Select(g => Array.BinarySearch(_recencies, g.Key.Recency)).ToArray();
        _counts = groups.Select(g => (double)g.Count).ToArray();
    }

    public double LogLikelihood(BetaGeometricNbd m)
    {
        var countTerms = _xs.Select(m.CountTerm).ToArray();
        var dropoutTerms = _xs.Select(m.DropoutTerm).ToArray();
        var logAge = _ages.Select(t => Math.Log(m.Alpha + t)).ToArray();
        var logRecency = _recencies.Select(t => Math.Log(m.Alpha + t)).ToArray();
        var sum = 0.0;
        for (var g = 0; g < _counts.Length; g++)
        {
            var xi = _xIndex[g];
            sum += _counts[g] * m.LogLikelihood(_xs[xi], countTerms[xi], dropoutTerms[xi], logAge[_ageIndex[g]], logRecency[_recencyIndex[g]]);
        }
        return sum;
    }
}
