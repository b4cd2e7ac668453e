using System.Buffers;
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

    /// <summary>ln[s ∫ from t_x to T ...]: the last purchase at t_x, then gone before T (note 009's s/(r+s+x)·A₀), from the two tails.</summary>
    internal double LogGoneTerm(double logTailAtRecency, double logTailAtAge) => Math.Log(S) + LogSubExp(logTailAtRecency, logTailAtAge);

    /// <summary>P(alive | x, t_x, T) (note 009, eq. 36): the share of the likelihood that has the customer alive at T.</summary>
    public double ProbabilityAlive(RepeatBuyer c)
    {
        var logOdds = LogGoneTerm(LogTail(c.Frequency, c.Recency), LogTail(c.Frequency, c.Age)) - LogAliveTerm(c.Frequency, c.Age);
        return AliveShare(logOdds);
    }

    /// <summary>P(alive) from the log-odds of gone between t_x and T against alive at T.</summary>
    private static double AliveShare(double logOdds) => logOdds > 700 ? 0 : 1 / (1 + Math.Exp(logOdds));

    /// <summary>
    /// Expected purchases in the next <paramref name="t"/> time units (note 009, eq. 41): P(alive) · (r+x)/(α+T) · (β+T)/(s−1)
    /// · [1 − ((β+T)/(β+T+t))^(s−1)], the bracket over s − 1 taken as ln(1 + t/(β+T)) · (1 − e^(−y))/y so that s = 1 is no pole.
    /// </summary>
    public double ExpectedPurchases(RepeatBuyer c, double t) => t <= 0 ? 0 : ProbabilityAlive(c) * ExpectedPurchasesIfAlive(c, t);

    /// <summary>Eq. 41 without P(alive): the posterior purchase rate (r+x)/(α+T) times the expected rest of a lifetime within t.</summary>
    public double ExpectedPurchasesIfAlive(RepeatBuyer c, double t)
    {
        if (t <= 0) return 0;
        var lifetimeLog = Log1P(t / (Beta + c.Age));
        var y = (S - 1) * lifetimeLog;
        var shrink = Math.Abs(y) < 1e-10 ? 1 - y / 2 : -double.ExpM1(-y) / y;
        return (R + c.Frequency) / (Alpha + c.Age) * (Beta + c.Age) * lifetimeLog * shrink;
    }

    /// <summary>
    /// P(at least one purchase in the next <paramref name="t"/>). Alive at T, λ ~ Gamma(r + x, α + T) and μ ~ Gamma(s, β + T)
    /// independently, and the first purchase comes at u before the end of life with density E[λ e^(−(λ+μ)u)] =
    /// (r+x)/(α+T) · (1 + u/(α+T))^(−(r+x+1)) · (1 + u/(β+T))^(−s); its integral over (0, t) is the difference of two tails of
    /// the same kind as the likelihood's, so one positive quantity with no 1 − (…) to lose digits in.
    /// </summary>
    public double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t) => t <= 0 ? 0 : ProbabilityAlive(c) * ProbabilityOfPurchaseWithinIfAlive(c, t);

    public double ProbabilityOfPurchaseWithinIfAlive(RepeatBuyer c, double t) => t <= 0 ? 0 : Math.Min(1, Math.Exp(LogPurchaseWithinIfAlive(c.Frequency, c.Age, t)));

    /// <summary>ln P(a purchase within t | alive at T): ln((r+x)/(α+T)) plus the log of the first purchase's density integrated over (0, t).</summary>
    private double LogPurchaseWithinIfAlive(double x, double age, double t)
    {
        double rate = Alpha + age, life = Beta + age;
        return Math.Log((R + x) / rate) + LogSubExp(LogPowerProductTail(rate, R + x + 1, life, S, 0), LogPowerProductTail(rate, R + x + 1, life, S, t));
    }

    /// <summary>Expected purchases of a new customer in their first <paramref name="t"/> time units (note 009, eq. 27): rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)].</summary>
    public double ExpectedPurchasesOfNewCustomer(double t) => ExpectedPurchases(new RepeatBuyer(0, 0, 0), t);

    IReadOnlyList<string> IParametricModel.ParameterNames => ["r", "alpha", "s", "beta"];

    double[] IParametricModel.Parameters => [R, Alpha, S, Beta];

    IPurchaseModel IParametricModel.WithParameters(double[] p) => new ParetoNbd(p[0], p[1], p[2], p[3]);

    /// <summary>As <see cref="ProbabilityAlive"/>, each distinct (x, t)'s tail once.</summary>
    double[] IParametricModel.ProbabilitiesAlive(GroupedCustomers data)
    {
        var pairs = data.Pairs;
        var (atRecency, atAge) = data.PairIndex;
        // Scratch the size of the distinct pairs, tens of thousands at a large shop: borrowed, not left for a full collection.
        using var scratch = new Scratch(pairs.Length);
        var tails = scratch.Next();
        GroupedCustomers.InChunks(pairs.Length, i => tails[i] = LogTail(pairs[i].Frequency, pairs[i].Time));
        var probabilities = new double[data.Customers.Length];
        GroupedCustomers.InChunks(probabilities.Length, g =>
        {
            var c = data.Customers[g];
            probabilities[g] = AliveShare(LogGoneTerm(tails[atRecency[g]], tails[atAge[g]]) - LogAliveTerm(c.Frequency, c.Age));
        });
        return probabilities;
    }

    /// <summary>
    /// ln[α^r β^s ∫ from τ to ∞ of (α+v)^(−(r+x)) (β+v)^(−(s+1)) dv], note 009's ₂F₁ term at τ without s/(r+s+x)'s factor s,
    /// and, given a span, its gradient by ln r, ln α, ln s, ln β.
    /// </summary>
    private double LogTail(double x, double tau, Span<double> gradient = default)
    {
        var value = -x * Math.Log(Alpha) - Math.Log(Beta) + LogPowerProductTail(Alpha, R + x, Beta, S + 1, tau, gradient);
        if (!gradient.IsEmpty) (gradient[0], gradient[1], gradient[2], gradient[3]) = (R * gradient[1], gradient[0] - x, S * gradient[3], gradient[2] - 1);
        return value;
    }

    /// <summary>
    /// The log-likelihood of folded customers and, given an array, its gradient by ln r, ln α, ln s, ln β: each distinct
    /// (x, t) tail once (a ₂F₁ each, the cost, spread over the cores), each group a weighted log-sum of alive at T and gone
    /// between t_x and T, whose gradient is the two ways' gradients weighted by their shares.
    /// </summary>
    internal double LogLikelihood(GroupedCustomers data, double[]? gradient)
    {
        var pairs = data.Pairs;
        // Called some hundred times a fit: its arrays are borrowed, not left for a full collection each time.
        using var scratch = new Scratch(pairs.Length);
        var (tails, alive, countTerms, countGradients) = (scratch.Next(), scratch.Next(), scratch.Next(), scratch.Next());
        // Four derivatives a pair, by ln r, ln α, ln s, ln β, of the tail and of the alive term.
        var (tailGradients, aliveGradients) = gradient is null ? (null, null) : (scratch.Next(4), scratch.Next(4));
        GroupedCustomers.InChunks(pairs.Length, i =>
        {
            var (x, time) = pairs[i];
            tails[i] = LogTail(x, time, tailGradients is null ? default : tailGradients.AsSpan(4 * i, 4));
            alive[i] = LogAliveTerm(x, time);
            countTerms[i] = LogGammaRatio(R, x);
            if (aliveGradients is null) return;
            countGradients[i] = R * DigammaDifference(R, x);
            (aliveGradients[4 * i], aliveGradients[4 * i + 1], aliveGradients[4 * i + 2], aliveGradients[4 * i + 3]) =
                (-R * Log1P(time / Alpha), (R * time - x * Alpha) / (Alpha + time), -S * Log1P(time / Beta), S * time / (Beta + time));
        });
        var (atRecency, atAge) = data.PairIndex;
        return GroupedCustomers.Sum(data.Counts.Length, (g, sum) =>
        {
            var (recency, age, n) = (atRecency[g], atAge[g], data.Counts[g]);
            var gone = LogGoneTerm(tails[recency], tails[age]);
            if (sum is not null)
            {
                var goneShare = double.IsNegativeInfinity(gone) ? 0 : 1 / (1 + Math.Exp(alive[age] - gone));
                // d ln(e^u − e^v) = (du − δ dv)/(1 − δ) with δ = e^(v − u): the gone term's gradient from the two tails'.
                var closeness = Math.Exp(tails[age] - tails[recency]);
                for (var j = 0; j < 4; j++)
                {
                    var goneGradient = goneShare == 0 ? 0 : (tailGradients![4 * recency + j] - closeness * tailGradients[4 * age + j]) / (1 - closeness) + (j == 2 ? 1 : 0);
                    sum[j] += n * ((1 - goneShare) * aliveGradients![4 * age + j] + goneShare * goneGradient);
                }
                sum[0] += n * countGradients[age];
            }
            return n * (countTerms[age] + LogAddExp(alive[age], gone));
        }, gradient);
    }

    /// <summary>
    /// Fits r, α, s, β by maximum likelihood the way every purchase model is fitted (<see cref="LogParameterFit"/>): BFGS on the
    /// logs from three starts over customers folded into distinct (x, t_x, T), the end checked to be a maximum or named as
    /// the limiting model the likelihood rises toward.
    /// </summary>
    public static PurchaseModelFit<ParetoNbd> Fit(IReadOnlyList<RepeatBuyer> customers) => Fit(customers, near: null);

    /// <summary>The fit from <paramref name="near"/>, where a fit on much the same customers ended (see <see cref="LogParameterFit"/>).</summary>
    public static PurchaseModelFit<ParetoNbd> Fit(IReadOnlyList<RepeatBuyer> customers, FitStart? near) =>
        LogParameterFit.Fit(customers, Starts, p => new ParetoNbd(p[0], p[1], p[2], p[3]), (m, data, gradient) => m.LogLikelihood(data, gradient), LimitingModel.Of, near);

    /// <summary>
    /// The fit's starts, in the logs: one at unit shapes with both scales at the mean age (CLVTools starts at all ones), and
    /// two with the shop's repeat rate r/α.
    /// </summary>
    private static double[][] Starts(IReadOnlyList<RepeatBuyer> customers)
    {
        var (meanAge, repeatRate) = LogParameterFit.Scale(customers);
        return
        [
            [0, Math.Log(meanAge), 0, Math.Log(meanAge)],
            [Math.Log(0.5), Math.Log(0.5 / repeatRate), Math.Log(0.5), Math.Log(meanAge / 2)],
            [Math.Log(2), Math.Log(2 / repeatRate), Math.Log(2), Math.Log(4 * meanAge)],
        ];
    }

    /// <summary>
    /// Arrays of <c>length</c> (or a multiple) borrowed from the shared pool for one computation and given back at its end.
    /// They are longer than asked and not cleared: each entry is written before it is read.
    /// </summary>
    private sealed class Scratch(int length) : IDisposable
    {
        private readonly List<double[]> _borrowed = [];

        public double[] Next(int multiple = 1)
        {
            var array = ArrayPool<double>.Shared.Rent(multiple * length);
            _borrowed.Add(array);
            return array;
        }

        public void Dispose()
        {
            foreach (var array in _borrowed) ArrayPool<double>.Shared.Return(array);
        }
    }
}
