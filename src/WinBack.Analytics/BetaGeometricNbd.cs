using System.Globalization;
using System.Runtime.InteropServices;
using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// The BG/NBD model (Fader, Hardie &amp; Lee 2005): while alive a customer buys at a Poisson rate (gamma-distributed
/// across customers, r and α), and after each purchase drops out with a probability (beta-distributed, a and b).
/// Everything is computed in log space, so large frequencies neither overflow nor turn into NaN.
/// </summary>
public sealed record BetaGeometricNbd(double R, double Alpha, double A, double B) : IPurchaseModel
{
    /// <summary>Below this many repeat buyers the fit says "not enough data" rather than guess.</summary>
    public const int MinimumRepeatCustomers = 5;

    public string Name => "BG/NBD";

    /// <summary>
    /// The fit searches the logs of the parameters between these bounds. Beyond them the objective is not a number, so a
    /// line search steps back instead of stopping on a flat clamped stretch; near them the model is read as its limit.
    /// </summary>
    private static readonly double LowerLog = Math.Log(1e-8), UpperLog = Math.Log(1e8);

    /// <summary>a + b from here on: drop-out chances differ between customers by under half a percentage point (sd of p).</summary>
    internal const double SameDropoutScale = 1e4;

    /// <summary>A mean drop-out chance a / (a + b) below this is one purchase in ten thousand followed by leaving: never.</summary>
    internal const double NeverDropOutChance = 1e-4;

    /// <summary>r from here on: purchase rates differ between customers by under 1 % (coefficient of variation 1/√r).</summary>
    internal const double SameRateShape = 1e4;

    /// <summary>The log-likelihood of one customer (the stable form of Hardie's note 027).</summary>
    public double LogLikelihood(RepeatBuyer c) =>
        LogLikelihood(c.Frequency, CountTerm(c.Frequency), DropoutTerm(c.Frequency), Log1P(c.Age / Alpha), Math.Log(Alpha + c.Age), Log1P(c.Recency / Alpha), Math.Log(Alpha + c.Recency));

    /// <summary>
    /// The terms of the likelihood that depend on x alone (A1 + A2 of the reference without r·ln α), computed once per x when
    /// fitting; as ratios of gammas, so a, b or r in the millions (near a limiting model) lose no precision.
    /// </summary>
    internal double CountTerm(double x) => LogGammaRatio(R, x) + LogGammaRatio(B, x) - LogGammaRatio(A + B, x);

    /// <summary>ln(a / (b + x − 1)): the chance of having dropped out after the last purchase; none without repeat purchases.</summary>
    internal double DropoutTerm(double x) => x > 0 ? Math.Log(A) - Math.Log(B + x - 1) : double.NegativeInfinity;

    /// <summary>
    /// The likelihood from its parts, with ln(1 + T/α), ln(α + T) and the same for t_x given: r·ln α − (r + x)·ln(α + T) is
    /// written −r·ln(1 + T/α) − x·ln(α + T), which stays exact when r and α are both huge.
    /// </summary>
    internal double LogLikelihood(double x, double countTerm, double dropoutTerm, double log1PAge, double logAge, double log1PRecency, double logRecency) =>
        countTerm + LogAddExp(-R * log1PAge - x * logAge, dropoutTerm - R * log1PRecency - x * logRecency);

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
        var logOdds = (R + x) * Log1P((c.Age - c.Recency) / (Alpha + c.Recency)) + Math.Log(A / (B + x - 1));
        return logOdds > 700 ? 0 : 1 / (1 + Math.Exp(logOdds));
    }

    /// <summary>
    /// Expected purchases in the next <paramref name="t"/> time units (paper eq. 10), with Euler's transformation of the
    /// ₂F₁ so the series never sees the large parameters r + x and b + x. When every customer's drop-out chance is the same
    /// p = a / (a + b) (a + b huge, where the series would need millions of terms), its closed form: (1 − E[e^(−λpt)]) / p.
    /// </summary>
    public double ExpectedPurchases(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        double x = c.Frequency;
        if (A + B >= SameDropoutScale)
        {
            var p = A / (A + B);
            var y = (R + x) * Log1P(p * t / (Alpha + c.Age));
            return (y < 1e-8 ? (R + x) * t / (Alpha + c.Age) : (1 - Math.Exp(-y)) / p) * ProbabilityAlive(c);
        }
        var z = t / (Alpha + c.Age + t);
        var tail = Math.Exp((A - 1) * Math.Log((Alpha + c.Age) / (Alpha + c.Age + t)) + LogHypergeometric2F1(A + B - 1 - R, A - 1, A + B + x - 1, z));
        return (A + B + x - 1) / (A - 1) * (1 - tail) * ProbabilityAlive(c);
    }

    /// <summary>
    /// P(at least one purchase in the next <paramref name="t"/>): BG/NBD customers drop out only just after a purchase, so
    /// one alive now buys nothing in t only if the Poisson count is zero, E[e^(−λt)] = ((α+T)/(α+T+t))^(r+x) under λ's posterior.
    /// </summary>
    public double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t) =>
        t <= 0 ? 0 : ProbabilityAlive(c) * -double.ExpM1((R + c.Frequency) * -Log1P(t / (Alpha + c.Age)));

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
    /// Fits r, α, a, b by maximum likelihood: BFGS on the logs of the parameters (so they stay positive) from three starts,
    /// the best end kept. Customers with the same (x, t_x, T) are one weighted term: with times in whole days, a million
    /// customers are a few thousand terms. An end inside the bounds must be a maximum (flat gradient, negative definite
    /// Hessian) or the fit says the data do not pin the model down; an end where the likelihood still rises toward a limit
    /// (no drop-out, the same drop-out for everyone, the same rate for everyone) is reported as that limiting model.
    /// </summary>
    public static BetaGeometricNbdFit Fit(IReadOnlyList<RepeatBuyer> customers)
    {
        if (customers.Count(c => c.Frequency > 0) < MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The purchase model needs at least {MinimumRepeatCustomers} customers who bought more than once.");
        var data = new GroupedCustomers(customers);
        var n = customers.Count;
        var meanAge = Math.Max(customers.Average(c => c.Age), 1e-3);
        var repeatRate = Math.Max(customers.Sum(c => (double)c.Frequency) / customers.Sum(c => c.Age), 1e-4);
        // The earlier start (r = a = b = 1, α = the mean age), and two with the shop's mean repeat rate r/α: CDNOW's shape and a steadier one.
        double[][] starts =
        [
            [0, Math.Log(meanAge), 0, 0],
            [Math.Log(0.25), Math.Log(0.25 / repeatRate), Math.Log(0.8), Math.Log(2.5)],
            [Math.Log(2), Math.Log(2 / repeatRate), Math.Log(0.5), Math.Log(5)],
        ];
        // The mean log-likelihood, so the first step's size does not grow with the number of customers.
        double Objective(double[] p) => p.All(v => v >= LowerLog && v <= UpperLog) && data.LogLikelihood(FromLogs(p)) is var ll && double.IsFinite(ll) ? -ll / n : double.NaN;
        // Each start is taken roughly to its end, and only the best is polished: three starts cost little more than one.
        var roughly = starts.Select(s => Bfgs.Minimise(Objective, s, gradientTolerance: 1e-4)).Where(r => double.IsFinite(r.Value) && r.Point.All(double.IsFinite))
                          .MinBy(r => r.Value)
                      ?? throw new NotEnoughDataException("The purchase data do not pin the model down (the fit did not settle); showing the fixed-weeks rule only.");
        var best = Bfgs.Minimise(Objective, roughly.Point);
        var model = FromLogs(best.Point);
        var limit = LimitingModel.Of(model);
        if (limit is null && !Bfgs.IsMinimum(Objective, best.Point))
            throw new NotEnoughDataException("The purchase data do not pin the model down (no single best fit); showing the fixed-weeks rule only.");
        return new BetaGeometricNbdFit(model, -best.Value * n, limit);
    }

    private static BetaGeometricNbd FromLogs(double[] p) => new(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
}

/// <summary>A fitted BG/NBD, its log-likelihood, and the limiting model it stands for when the maximum lies at a bound.</summary>
public sealed record BetaGeometricNbdFit(BetaGeometricNbd Model, double LogLikelihood, LimitingModel? Limit)
{
    public void Deconstruct(out BetaGeometricNbd model, out double logLikelihood) => (model, logLikelihood) = (Model, LogLikelihood);
}

/// <summary>
/// Where the likelihood rises toward a boundary of the parameters, the model the fit tends to, by name and in the
/// merchant's words. The parameters that go to 0 or infinity there (<see cref="DropoutUnbounded"/>: a and b;
/// <see cref="RateUnbounded"/>: r and α) mean nothing one by one and are not shown.
/// </summary>
public sealed record LimitingModel(string Name, string ForTheMerchant, bool DropoutUnbounded, bool RateUnbounded)
{
    /// <summary>What the merchant reads, then the model's name for an analyst; under 500 characters.</summary>
    public string Note => $"{ForTheMerchant} Limiting model: {Name}." is var note && note.Length <= 500 ? note : ForTheMerchant;

    public static LimitingModel? Of(BetaGeometricNbd m)
    {
        var meanDropout = m.A / (m.A + m.B);
        var chance = string.Create(CultureInfo.InvariantCulture, $"{100 * meanDropout:0.0}%");
        var pace = (m.R / m.Alpha).ToString("G3", CultureInfo.InvariantCulture);
        var dropout = meanDropout < BetaGeometricNbd.NeverDropOutChance
            ? ("customers never drop out (a → 0: no purchase is followed by leaving)",
               "Your customers show no sign of leaving for good: a quiet customer reads as a slow buyer, so every chance of being active is close to 100 % and the lists rest on each customer's own rhythm.")
            : m.A + m.B >= BetaGeometricNbd.SameDropoutScale
                ? ($"no drop-out heterogeneity (a, b → ∞: every customer's drop-out probability is the same, {chance} after each purchase)",
                   $"Your customers differ in how often they buy but not in how likely they are to stop: after each order any customer leaves with the same {chance} chance.")
                : ((string Name, string ForTheMerchant)?)null;
        var rate = m.R >= BetaGeometricNbd.SameRateShape
            ? ($"no purchase-rate heterogeneity (r, α → ∞: every active customer buys at the same rate, {pace} a week)",
               $"Your active customers all buy at about the same pace, {pace} orders a week; they differ only in whether they are still active.")
            : ((string Name, string ForTheMerchant)?)null;
        if (dropout is null && rate is null) return null;
        (string Name, string ForTheMerchant)[] parts = [.. new[] { dropout, rate }.OfType<(string, string)>()];
        return new LimitingModel(string.Join("; ", parts.Select(p => p.Name)), string.Join(" ", parts.Select(p => p.ForTheMerchant)), dropout is not null, rate is not null);
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
        var (log1PAge, logAge) = (_ages.Select(t => Log1P(t / m.Alpha)).ToArray(), _ages.Select(t => Math.Log(m.Alpha + t)).ToArray());
        var (log1PRecency, logRecency) = (_recencies.Select(t => Log1P(t / m.Alpha)).ToArray(), _recencies.Select(t => Math.Log(m.Alpha + t)).ToArray());
        var sum = 0.0;
        for (var g = 0; g < _counts.Length; g++)
        {
            var (xi, ti, ri) = (_xIndex[g], _ageIndex[g], _recencyIndex[g]);
            sum += _counts[g] * m.LogLikelihood(_xs[xi], countTerms[xi], dropoutTerms[xi], log1PAge[ti], logAge[ti], log1PRecency[ri], logRecency[ri]);
        }
        return sum;
    }
}
