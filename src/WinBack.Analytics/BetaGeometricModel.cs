using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// BG/NBD and MBG/NBD: while alive a customer buys at a Poisson rate λ ~ Gamma(r, α), and at each drop-out opportunity
/// leaves with a probability p ~ Beta(a, b). BG/NBD's opportunities are the x repeat purchases; MBG/NBD counts the first
/// purchase too (x + 1), so a one-time buyer may already be gone. The rest is the same arithmetic, in log space, so large
/// frequencies neither overflow nor turn into NaN.
/// </summary>
public abstract record BetaGeometricModel(double R, double Alpha, double A, double B) : IPurchaseModel, IParametricModel
{
    /// <summary>a + b from here on: drop-out chances differ between customers by under half a percentage point (sd of p).</summary>
    internal const double SameDropoutScale = 1e4;

    /// <summary>A mean drop-out chance a / (a + b) below this is one purchase in ten thousand followed by leaving: never.</summary>
    internal const double NeverDropOutChance = 1e-4;

    /// <summary>r from here on: purchase rates differ between customers by under 1 % (coefficient of variation 1/√r).</summary>
    internal const double SameRateShape = 1e4;

    public abstract string Name { get; }

    /// <summary>Whether the first purchase is a drop-out opportunity too (MBG/NBD), besides each repeat purchase.</summary>
    internal abstract bool FirstPurchaseMayEnd { get; }

    /// <summary>The drop-out opportunities a customer with x repeat purchases has had: x, or x + 1.</summary>
    private double Opportunities(double x) => FirstPurchaseMayEnd ? x + 1 : x;

    /// <summary>The log-likelihood of one customer (the stable form of Hardie's note 027).</summary>
    public double LogLikelihood(RepeatBuyer c) =>
        LogLikelihood(c.Frequency, CountTerm(c.Frequency), DropoutTerm(c.Frequency), Log1P(c.Age / Alpha), Math.Log(Alpha + c.Age), Log1P(c.Recency / Alpha), Math.Log(Alpha + c.Recency));

    /// <summary>
    /// The terms of the likelihood that depend on x alone (A1 + A2 of the reference without r·ln α), computed once per x when
    /// fitting; as ratios of gammas, so a, b or r in the millions (near a limiting model) lose no precision.
    /// </summary>
    internal double CountTerm(double x) => LogGammaRatio(R, x) + LogGammaRatio(B, Opportunities(x)) - LogGammaRatio(A + B, Opportunities(x));

    /// <summary>ln(a / (b + k − 1)) for k opportunities: the chance of having dropped out at the last one; none without any.</summary>
    internal double DropoutTerm(double x) => Opportunities(x) is var k && k > 0 ? Math.Log(A) - Math.Log(B + k - 1) : double.NegativeInfinity;

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

    /// <summary>P(alive | x, t_x, T) as a logistic of the log-odds of having dropped out at the last opportunity.</summary>
    public double ProbabilityAlive(RepeatBuyer c)
    {
        var dropout = DropoutTerm(c.Frequency);
        if (double.IsNegativeInfinity(dropout)) return 1;
        var logOdds = (R + c.Frequency) * Log1P((c.Age - c.Recency) / (Alpha + c.Recency)) + dropout;
        return logOdds > 700 ? 0 : 1 / (1 + Math.Exp(logOdds));
    }

    /// <summary>Expected purchases in the next <paramref name="t"/> time units (BG/NBD paper eq. 10; its MBG/NBD counterpart with one more opportunity).</summary>
    public double ExpectedPurchases(RepeatBuyer c, double t) => t <= 0 ? 0 : ExpectedPurchasesIfAlive(c, t) * ProbabilityAlive(c);

    /// <summary>
    /// The conditional expectation's numerator, (a + b + k − 1)/(a − 1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(…)] with k drop-out
    /// opportunities (its denominator is 1/P(alive)), with Euler's transformation of the ₂F₁ so the series never sees the
    /// large parameters r + x and b + x. When every customer's drop-out chance is the same p = a / (a + b) (a + b huge, where
    /// the series would need millions of terms), its closed form: (1 − E[e^(−λpt)]) / p.
    /// </summary>
    public double ExpectedPurchasesIfAlive(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        double x = c.Frequency;
        if (A + B >= SameDropoutScale)
        {
            var p = A / (A + B);
            var y = (R + x) * Log1P(p * t / (Alpha + c.Age));
            return y < 1e-8 ? (R + x) * t / (Alpha + c.Age) : (1 - Math.Exp(-y)) / p;
        }
        var k = Opportunities(x);
        var z = t / (Alpha + c.Age + t);
        var tail = Math.Exp((A - 1) * Math.Log((Alpha + c.Age) / (Alpha + c.Age + t)) + LogHypergeometric2F1(A + B + k - 1 - R - x, A - 1, A + B + k - 1, z));
        return (A + B + k - 1) / (A - 1) * (1 - tail);
    }

    /// <summary>
    /// P(at least one purchase in the next <paramref name="t"/>): these customers drop out only at a purchase, so one alive
    /// now buys nothing in t only if the Poisson count is zero, E[e^(−λt)] = ((α+T)/(α+T+t))^(r+x) under λ's posterior.
    /// </summary>
    public double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t) => t <= 0 ? 0 : ProbabilityAlive(c) * ProbabilityOfPurchaseWithinIfAlive(c, t);

    public double ProbabilityOfPurchaseWithinIfAlive(RepeatBuyer c, double t) => t <= 0 ? 0 : -double.ExpM1((R + c.Frequency) * -Log1P(t / (Alpha + c.Age)));

    /// <summary>Expected purchases of a new customer in their first <paramref name="t"/> time units: the conditional expectation with no history.</summary>
    public double ExpectedPurchasesOfNewCustomer(double t) => ExpectedPurchases(new RepeatBuyer(0, 0, 0), t);

    /// <summary>
    /// The customer's expected purchase rate if still active: the posterior mean (r + x) / (α + T), their own orders blended
    /// with the shop's typical rate. Its inverse is the expected gap between orders, in the model's time unit.
    /// </summary>
    public double RateIfActive(RepeatBuyer c) => (R + c.Frequency) / (Alpha + c.Age);

    IReadOnlyList<string> IParametricModel.ParameterNames => ["r", "alpha", "a", "b"];

    double[] IParametricModel.Parameters => [R, Alpha, A, B];

    IPurchaseModel IParametricModel.WithParameters(double[] p) => this with { R = p[0], Alpha = p[1], A = p[2], B = p[3] };

    /// <summary>P(alive) is in closed form here: one a group.</summary>
    double[] IParametricModel.ProbabilitiesAlive(GroupedCustomers data) => GroupedForecasts.EachGroup(data, ProbabilityAlive);

    /// <summary>
    /// The log-likelihood of folded customers and, given an array, its gradient by ln r, ln α, ln a, ln b: the terms of x,
    /// T or t_x alone once per distinct value, each group a weighted log-sum of its two ways to have the data (alive at T,
    /// or gone at the last opportunity), whose gradient is the two ways' gradients weighted by their shares.
    /// </summary>
    internal double LogLikelihood(GroupedCustomers data, double[]? gradient)
    {
        var xs = data.Frequencies;
        var countTerms = xs.Select(x => CountTerm(x)).ToArray();
        var dropoutTerms = xs.Select(x => DropoutTerm(x)).ToArray();
        // By ln r, ln a, ln b: ψ differences over the whole number of purchases and opportunities, and ∂ ln(a/(b+k−1)) / ∂ ln b.
        var countGradients = gradient is null ? null : xs.Select(CountGradient).ToArray();
        var dropoutByLogB = xs.Select(x => Opportunities(x) is var k && k > 0 ? -B / (B + k - 1) : 0).ToArray();
        var ages = TimeTerms(data.Ages);
        var recencies = TimeTerms(data.Recencies);
        return GroupedCustomers.Sum(data.Counts.Length, (g, sum) =>
        {
            var (xi, ti, ri, n) = (data.FrequencyIndex[g], data.AgeIndex[g], data.RecencyIndex[g], data.Counts[g]);
            double x = xs[xi];
            var alive = -R * ages.Log1P[ti] - x * ages.Log[ti];
            var gone = dropoutTerms[xi] - R * recencies.Log1P[ri] - x * recencies.Log[ri];
            if (sum is not null)
            {
                var goneShare = double.IsNegativeInfinity(gone) ? 0 : 1 / (1 + Math.Exp(alive - gone));
                var aliveShare = 1 - goneShare;
                var (fa, fr) = (ages.Share[ti], recencies.Share[ri]);
                var c = countGradients![xi];
                sum[0] += n * (c[0] - R * (aliveShare * ages.Log1P[ti] + goneShare * recencies.Log1P[ri]));
                sum[1] += n * (aliveShare * (R * fa - x * (1 - fa)) + goneShare * (R * fr - x * (1 - fr)));
                sum[2] += n * (c[2] + goneShare);
                sum[3] += n * (c[3] + goneShare * dropoutByLogB[xi]);
            }
            return n * (countTerms[xi] + LogAddExp(alive, gone));
        }, gradient);
    }

    /// <summary>The gradient of <see cref="CountTerm"/> by ln r, ln α, ln a, ln b: differences of ψ over whole numbers of purchases and opportunities.</summary>
    private double[] CountGradient(int x)
    {
        var k = (int)Opportunities(x);
        return [R * DigammaDifference(R, x), 0, -A * DigammaDifference(A + B, k), B * (DigammaDifference(B, k) - DigammaDifference(A + B, k))];
    }

    /// <summary>For each time t: ln(1 + t/α), ln(α + t) and t/(α + t), the parts of the likelihood and its gradient in t.</summary>
    private (double[] Log1P, double[] Log, double[] Share) TimeTerms(double[] times) =>
        (times.Select(t => Log1P(t / Alpha)).ToArray(), times.Select(t => Math.Log(Alpha + t)).ToArray(), times.Select(t => t / (Alpha + t)).ToArray());

    /// <summary>
    /// Fits r, α, a, b by maximum likelihood the way every purchase model is fitted (see <see cref="LogParameterFit"/>);
    /// <paramref name="model"/> builds this kind of model from the four parameters; <paramref name="near"/> is where a fit of
    /// it on much the same customers ended, if any.
    /// </summary>
    private protected static PurchaseModelFit<TModel> Fit<TModel>(IReadOnlyList<RepeatBuyer> customers, Func<double, double, double, double, TModel> model, FitStart? near)
        where TModel : BetaGeometricModel =>
        LogParameterFit.Fit(customers, Starts, p => model(p[0], p[1], p[2], p[3]), (m, data, gradient) => m.LogLikelihood(data, gradient), LimitingModel.Of, near);

    /// <summary>
    /// The fit's starts, in the logs: the earlier one (r = a = b = 1, α = the mean age), and two with the shop's mean repeat
    /// rate r/α, CDNOW's shape and a steadier one.
    /// </summary>
    private static double[][] Starts(IReadOnlyList<RepeatBuyer> customers)
    {
        var (meanAge, repeatRate) = LogParameterFit.Scale(customers);
        return
        [
            [0, Math.Log(meanAge), 0, 0],
            [Math.Log(0.25), Math.Log(0.25 / repeatRate), Math.Log(0.8), Math.Log(2.5)],
            [Math.Log(2), Math.Log(2 / repeatRate), Math.Log(0.5), Math.Log(5)],
        ];
    }
}
