using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// The Pareto/NBD model (Schmittlein, Morrison &amp; Colombo 1987; Fader &amp; Hardie's note 009): while alive a customer
/// buys at a Poisson rate λ ~ Gamma(r, α), and stays alive for an exponential lifetime of rate μ ~ Gamma(s, β), so
/// customers can leave at any time, not only at a purchase. Everything is computed in log space.
/// </summary>
public sealed record ParetoNbd(double R, double Alpha, double S, double Beta) : IPurchaseModel, IParametricModel
{
    public string Name => "Pareto/NBD";

    /// <summary>
    /// The log-likelihood of one customer (note 009, eqs. 18-20): ln[Γ(r+x)/Γ(r)] plus the log of the sum of two terms,
    /// alive at T (<see cref="LogAliveTerm"/>) and gone between t_x and T (<see cref="LogGoneTerm"/>).
    /// </summary>
    public double LogLikelihood(RepeatBuyer c) =>
        LogGammaRatio(R, c.Frequency) + LogAddExp(LogAliveTerm(c.Frequency, c.Age), LogGoneTerm(LogTail(c.Frequency, c.Recency), LogTail(c.Frequency, c.Age)));

    public double LogLikelihood(IReadOnlyList<RepeatBuyer> customers)
    {
        var sum = 0.0;
        foreach (var c in customers) sum += LogLikelihood(c);
        return sum;
    }

    /// <summary>ln[α^r β^s / ((α+T)^(r+x) (β+T)^s)]: x purchases in (0, T] and still alive at T, written so that huge r, α, s, β stay exact.</summary>
    internal double LogAliveTerm(double x, double age) => -R * Log1P(age / Alpha) - x * Math.Log(Alpha + age) - S * Log1P(age / Beta);

    /// <summary>ln[α^r β^s ∫ from τ to ∞ of (α+v)^(−(r+x)) (β+v)^(−(s+1)) dv]: note 009's ₂F₁ term at τ, without s/(r+s+x)'s factor s.</summary>
    internal double LogTail(double x, double tau) => -x * Math.Log(Alpha) - Math.Log(Beta) + LogPowerProductTail(Alpha, R + x, Beta, S + 1, tau);

    /// <summary>ln[s ∫ from t_x to T ...]: the last purchase at t_x, then gone before T (note 009's s/(r+s+x)·A₀), from the two tails.</summary>
    internal double LogGoneTerm(double logTailAtRecency, double logTailAtAge) => Math.Log(S) + LogSubExp(logTailAtRecency, logTailAtAge);

    /// <summary>P(alive | x, t_x, T) (note 009, eq. 36): the share of the likelihood that has the customer alive at T.</summary>
    public double ProbabilityAlive(RepeatBuyer c)
    {
        var logOdds = LogGoneTerm(LogTail(c.Frequency, c.Recency), LogTail(c.Frequency, c.Age)) - LogAliveTerm(c.Frequency, c.Age);
        return logOdds > 700 ? 0 : 1 / (1 + Math.Exp(logOdds));
    }

    /// <summary>
    /// Expected purchases in the next <paramref name="t"/> time units (note 009, eq. 41): P(alive) · (r+x)/(α+T) · (β+T)/(s−1)
    /// · [1 − ((β+T)/(β+T+t))^(s−1)], the bracket over s − 1 taken as ln(1 + t/(β+T)) · (1 − e^(−y))/y so that s = 1 is no pole.
    /// </summary>
    public double ExpectedPurchases(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        var lifetimeLog = Log1P(t / (Beta + c.Age));
        var y = (S - 1) * lifetimeLog;
        var shrink = Math.Abs(y) < 1e-10 ? 1 - y / 2 : -double.ExpM1(-y) / y;
        return ProbabilityAlive(c) * (R + c.Frequency) / (Alpha + c.Age) * (Beta + c.Age) * lifetimeLog * shrink;
    }

    /// <summary>
    /// P(at least one purchase in the next <paramref name="t"/>). Alive at T, λ ~ Gamma(r + x, α + T) and μ ~ Gamma(s, β + T)
    /// independently, and the first purchase comes at u before the end of life with density E[λ e^(−(λ+μ)u)] =
    /// (r+x)/(α+T) · (1 + u/(α+T))^(−(r+x+1)) · (1 + u/(β+T))^(−s); its integral over (0, t) is the difference of two tails of
    /// the same kind as the likelihood's, so one positive quantity with no 1 − (…) to lose digits in.
    /// </summary>
    public double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        double x = c.Frequency, rate = Alpha + c.Age, life = Beta + c.Age;
        var logWithin = LogSubExp(LogPowerProductTail(rate, R + x + 1, life, S, 0), LogPowerProductTail(rate, R + x + 1, life, S, t));
        return ProbabilityAlive(c) * Math.Min(1, Math.Exp(Math.Log((R + x) / rate) + logWithin));
    }

    /// <summary>Expected purchases of a new customer in their first <paramref name="t"/> time units (note 009, eq. 27): rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)].</summary>
    public double ExpectedPurchasesOfNewCustomer(double t) => ExpectedPurchases(new RepeatBuyer(0, 0, 0), t);

    IReadOnlyList<string> IParametricModel.ParameterNames => ["r", "alpha", "s", "beta"];

    double[] IParametricModel.Parameters => [R, Alpha, S, Beta];

    IPurchaseModel IParametricModel.WithParameters(double[] p) => new ParetoNbd(p[0], p[1], p[2], p[3]);

    /// <summary>The log-likelihood of folded customers: each distinct (x, t) tail once, each group a weighted sum of its two.</summary>
    internal double LogLikelihood(GroupedCustomers data)
    {
        var pairs = data.Pairs;
        var tails = new double[pairs.Length];
        var alive = new double[pairs.Length];
        var countTerms = new double[pairs.Length];
        const int chunk = 2048;
        // The tails are the cost (a ₂F₁ each); spread over the cores when there are many.
        Parallel.For(0, (pairs.Length + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = pairs.Length > chunk ? -1 : 1 }, k =>
        {
            for (var i = k * chunk; i < Math.Min(pairs.Length, (k + 1) * chunk); i++)
            {
                var (x, time) = pairs[i];
                tails[i] = LogTail(x, time);
                alive[i] = LogAliveTerm(x, time);
                countTerms[i] = LogGammaRatio(R, x);
            }
        });
        var (atRecency, atAge) = data.PairIndex;
        var sum = 0.0;
        for (var g = 0; g < data.Counts.Length; g++)
        {
            var (recency, age) = (atRecency[g], atAge[g]);
            sum += data.Counts[g] * (countTerms[age] + LogAddExp(alive[age], LogGoneTerm(tails[recency], tails[age])));
        }
        return sum;
    }

    /// <summary>
    /// Fits r, α, s, β by maximum likelihood the way every purchase model is fitted (<see cref="LogParameterFit"/>): BFGS on the
    /// logs from three starts over customers folded into distinct (x, t_x, T), the end checked to be a maximum or named as
    /// the limiting model the likelihood rises toward.
    /// </summary>
    public static PurchaseModelFit<ParetoNbd> Fit(IReadOnlyList<RepeatBuyer> customers)
    {
        var data = LogParameterFit.GroupFor(customers);
        var (meanAge, repeatRate) = LogParameterFit.Scale(customers);
        // One at unit shapes with both scales at the mean age (CLVTools starts at all ones), and two with the shop's repeat rate r/α.
        double[][] starts =
        [
            [0, Math.Log(meanAge), 0, Math.Log(meanAge)],
            [Math.Log(0.5), Math.Log(0.5 / repeatRate), Math.Log(0.5), Math.Log(meanAge / 2)],
            [Math.Log(2), Math.Log(2 / repeatRate), Math.Log(2), Math.Log(4 * meanAge)],
        ];
        return LogParameterFit.Fit(customers.Count, starts, p => new ParetoNbd(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3])),
            m => m.LogLikelihood(data), LimitingModel.Of);
    }
}
