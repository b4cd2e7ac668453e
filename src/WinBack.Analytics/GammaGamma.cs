using System.Runtime.InteropServices;
using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// The Gamma-Gamma model of spend per order (Fader &amp; Hardie 2013), fitted on repeat customers' mean repeat-order
/// value: each customer's orders are gamma(p, ν), ν is gamma(q, γ) across customers.
/// </summary>
public sealed record GammaGamma(double P, double Q, double Gamma)
{
    public double LogLikelihood(RepeatBuyer c)
    {
        double x = c.Frequency, m = c.AverageRepeatValue;
        return LogGamma(P * x + Q) - LogGamma(P * x) - LogGamma(Q) + Q * Math.Log(Gamma) + (P * x - 1) * Math.Log(m) + P * x * Math.Log(x)
               - (P * x + Q) * Math.Log(Gamma + m * x);
    }

    /// <summary>What a customer is expected to spend per order: a weighted mean of the population mean and their own average.</summary>
    public OrderValueEstimate Estimate => new(P * Gamma / (Q - 1), (Q - 1) / P);

    /// <summary>
    /// The logs of p, q and γ are searched in [ln 1e-8, ln 1e7], so a line search never evaluates Γ(0) and the sums keep
    /// their precision (<see cref="SumPrecision"/>); γ in units of the customers' mean repeat-order value (see
    /// <see cref="FitInside"/>). An end within <see cref="EdgeLog"/> of these bounds is no maximum: the likelihood rises
    /// toward one of the limits, which <see cref="Fit"/> compares in closed form. A shop's real maximum lies far inside
    /// them (orders that vary 1 % within a customer give p about 1e4, and γ about (q − 1)/p of the unit).
    /// </summary>
    private const double LowerLog = -18.42, UpperLog = 16.12, EdgeLog = 1;

    /// <summary>
    /// Repeat customers' mean orders whose spread (standard deviation over mean) is under this are one value, to a tenth of
    /// a percent (a price with cents of tax or rounding on it): the shop's spend is constant, and the likelihood's maximum is
    /// out where p and q are both beyond the search's bounds.
    /// </summary>
    private const double SameValueSpread = 1e-3;

    /// <summary>
    /// Fits p, q, γ on the customers with repeat purchases among <paramref name="repeatCustomers"/> (the others are
    /// skipped): BFGS from the customers' own scale, settled by Newton's steps and checked to be a maximum
    /// (<see cref="Settling"/>). The likelihood can instead rise, as parameters run off, toward one of two limits: p → ∞
    /// (each customer always spends their own average) or q, γ → ∞ (customers do not differ); both have closed-form
    /// maxima. A limit is the fit where its likelihood is at least the search's end's (to <see cref="SumPrecision"/>); else
    /// the search's maximum is. A fit with q ≤ 1 (no average order) is not taken, and an end that is no maximum, above both
    /// limits, is data that do not pin the model down.
    /// </summary>
    public static SpendModelFit Fit(IEnumerable<RepeatBuyer> repeatCustomers)
    {
        var data = Folded.Of(repeatCustomers);
        if (data.Customers < PurchaseModels.MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The spend model needs at least {PurchaseModels.MinimumRepeatCustomers} customers who bought more than once.");
        var average = data.ValueSum / data.Customers;
        if (data.RelativeSpread() < SameValueSpread)
            return new SpendModelFit(null, null, null, new OrderValueEstimate(average, double.PositiveInfinity), null, LimitingModel.ConstantSpend(average));

        var (inside, insideLogLikelihood) = FitInside(data, average);
        // The population mean spend p·γ/(q−1) exists only for q > 1: a fit without it gives no value and is not taken.
        var limits = new List<SpendModelFit>();
        if (data.WithoutSpreadWithinCustomers() is { Q: > 1 } own && double.IsFinite(own.LogLikelihood))
        {
            var shopAverage = own.Delta / (own.Q - 1);
            limits.Add(new SpendModelFit(null, own.Q, null, new OrderValueEstimate(shopAverage, 0), own.LogLikelihood, LimitingModel.OwnAverageSpend(own.Q, shopAverage)));
        }
        if (data.WithoutSpreadBetweenCustomers() is var same && double.IsFinite(same.LogLikelihood))
        {
            var orderAverage = same.P / same.Nu;
            limits.Add(new SpendModelFit(same.P, null, null, new OrderValueEstimate(orderAverage, double.PositiveInfinity), same.LogLikelihood,
                LimitingModel.SameSpendForAll(same.P, orderAverage)));
        }
        // A limit is the fit where the likelihood is no higher where the search ended, to the precision of its sums far out
        // (a search toward a limit stops where the slope is too small to follow, a maximum to that precision). Else the
        // maximum inside is; and where the search ended at no maximum, above both limits, the likelihood rises somewhere
        // neither names, and nothing is shown.
        var limit = limits.MaxBy(l => l.LogLikelihood!.Value);
        if (limit is not null && limit.LogLikelihood >= insideLogLikelihood - SumPrecision * data.Customers) return limit;
        return inside is { Q: > 1 } ? new SpendModelFit(inside.P, inside.Q, inside.Gamma, inside.Estimate, insideLogLikelihood, null) : throw NotPinnedDown();
    }

    /// <summary>
    /// How far the log-likelihood's sums out to p or q of a few million are from exact, per customer (so in any currency):
    /// a customer's term there still holds a log-gamma of about q·ln q when p·x and q are both large, good to 1e-16 of that.
    /// </summary>
    private const double SumPrecision = 1e-8;

    private static NotEnoughDataException NotPinnedDown() => new("The spend data do not pin the model down; no predicted value is shown.");

    /// <summary>
    /// The search inside the bounds: its end, if that is a maximum away from them (else null), and the log-likelihood there
    /// either way. γ is in the shop's currency, whose unit may be worth 100,000 times another's (a Lebanese pound against a
    /// dollar): it is searched in units of the customers' mean repeat-order value (<paramref name="unit"/>), so the bounds
    /// hold in every currency. Values c times larger give the same p and q and c times γ; the log-likelihood is still that
    /// of the values as they are.
    /// </summary>
    private static (GammaGamma? Maximum, double LogLikelihood) FitInside(Folded data, double unit)
    {
        // The mean log-likelihood, as the purchase models': Newton's steps, not BFGS's looser stop, take the end to the maximum.
        var objective = Settling.Objective((logs, gradient) => data.LogLikelihood(Math.Exp(logs[0]), Math.Exp(logs[1]), unit * Math.Exp(logs[2]), gradient),
            data.Customers, LowerLog, UpperLog);
        var end = Settling.Settle(objective, Bfgs.Minimise(objective, [0, 0, 0]), data.Customers);
        var logLikelihood = double.IsFinite(end.End.Value) ? -end.End.Value * data.Customers : double.NegativeInfinity;
        var point = end.End.Point;
        var inside = end.IsMinimum && point.All(l => l > LowerLog + EdgeLog && l < UpperLog - EdgeLog);
        return (inside ? new GammaGamma(Math.Exp(point[0]), Math.Exp(point[1]), unit * Math.Exp(point[2])) : null, logLikelihood);
    }

    /// <summary>
    /// The repeat customers folded for the fit. Summed over customers, <see cref="GammaGamma.LogLikelihood(RepeatBuyer)"/> splits into
    /// log-gammas of x alone (one per distinct x, a few hundred), sums fixed by the data (Σ x·ln m, Σ ln m, Σ x·ln x,
    /// computed once), and one term per distinct (x, m): (p·x + q)·ln(γ + m·x). So a step of the fit costs one logarithm
    /// per customer, not three log-gammas; a large shop's mean values are nearly all distinct.
    /// </summary>
    internal sealed class Folded
    {
        private readonly List<(int Frequency, double Count)> _byFrequency = [];
        private readonly List<(double Frequency, double Value, double Count)> _byValue = [];
        public int Customers { get; private set; }
        public double ValueSum { get; private set; }
        private double _xLogM, _logM, _xLogX;
        // Σ 1/m̄, Σ x and Σ x·m̄: what the two limits' maxima read.
        private double _inverseSum, _frequencySum, _orderValueSum;

        public static Folded Of(IEnumerable<RepeatBuyer> repeatCustomers)
        {
            // Customers with the same (x, mean value) are one weighted term, counted in a dictionary (no list per group).
            var counts = new Dictionary<(int Frequency, double AverageRepeatValue), int>();
            var frequencies = new Dictionary<int, int>();
            var folded = new Folded();
            foreach (var c in repeatCustomers)
            {
                if (c.Frequency <= 0 || c.AverageRepeatValue <= 0) continue;
                CollectionsMarshal.GetValueRefOrAddDefault(counts, (c.Frequency, c.AverageRepeatValue), out _)++;
                CollectionsMarshal.GetValueRefOrAddDefault(frequencies, c.Frequency, out _)++;
                folded.Customers++;
                folded.ValueSum += c.AverageRepeatValue;
                double x = c.Frequency, logM = Math.Log(c.AverageRepeatValue);
                (folded._xLogM, folded._logM, folded._xLogX) = (folded._xLogM + x * logM, folded._logM + logM, folded._xLogX + x * Math.Log(x));
                (folded._inverseSum, folded._frequencySum, folded._orderValueSum) =
                    (folded._inverseSum + 1 / c.AverageRepeatValue, folded._frequencySum + x, folded._orderValueSum + x * c.AverageRepeatValue);
            }
            folded._byFrequency.AddRange(frequencies.Select(f => (f.Key, (double)f.Value)));
            folded._byValue.AddRange(counts.Select(g => ((double)g.Key.Frequency, g.Key.AverageRepeatValue, (double)g.Value)));
            return folded;
        }

        /// <summary>The standard deviation of the customers' mean repeat-order values over their mean.</summary>
        public double RelativeSpread()
        {
            var mean = ValueSum / Customers;
            return Math.Sqrt(_byValue.Sum(g => g.Count * (g.Value - mean) * (g.Value - mean)) / Customers) / mean;
        }

        /// <summary>
        /// The limit p → ∞ with p·γ = δ fixed, at its maximum: a customer's orders are all their own mean, ν's gamma(q, γ)
        /// becomes the means' inverse gamma(q, δ), and the log-likelihood is Σ q·ln δ − ln Γ(q) − (q + 1)·ln m̄ − δ/m̄. For a
        /// given q it is highest at δ = q / mean(1/m̄); then q solves ln q − ψ(q) = ln mean(1/m̄) + mean(ln m̄), which is
        /// positive unless every m̄ is the same (Jensen), and the left side falls from ∞ to 0. The right side is summed as
        /// ln mean(g/m̄), g the geometric mean, so it keeps its precision when the m̄ are close.
        /// </summary>
        public (double Q, double Delta, double LogLikelihood) WithoutSpreadWithinCustomers()
        {
            double n = Customers, meanInverse = _inverseSum / n, meanLog = _logM / n;
            var geometricMean = Math.Exp(meanLog);
            var q = Root(LogMinusDigamma, Math.Log(_byValue.Sum(g => g.Count * geometricMean / g.Value) / n));
            var delta = q / meanInverse;
            return (q, delta, n * (q * Math.Log(delta) - LogGamma(q) - (q + 1) * meanLog - q));
        }

        /// <summary>
        /// The limit q, γ → ∞ with q/γ = ν fixed, at its maximum: every customer's orders are gamma(p, ν), so m̄ is
        /// gamma(p·x, ν·x), and the log-likelihood is Σ p·x·ln(ν·x) − ln Γ(p·x) + (p·x − 1)·ln m̄ − ν·x·m̄. For a given p it is
        /// highest at ν = p·Σx / Σx·m̄ (the mean order is the orders' mean); then p solves Σ x·(ln(p·x) − ψ(p·x)) =
        /// Σx·ln(Σx·m̄ / Σx) − Σ x·ln m̄ (summed as −Σ x·ln(m̄ / the orders' mean)), again positive unless every m̄ is the
        /// same, and the left side falls from ∞ to 0.
        /// </summary>
        public (double P, double Nu, double LogLikelihood) WithoutSpreadBetweenCustomers()
        {
            var orderMean = _orderValueSum / _frequencySum;
            var p = Root(p => _byFrequency.Sum(f => f.Count * f.Frequency * LogMinusDigamma(p * f.Frequency)),
                -_byValue.Sum(g => g.Count * g.Frequency * Math.Log(g.Value / orderMean)));
            var nu = p * _frequencySum / _orderValueSum;
            var ll = p * _frequencySum * Math.Log(nu) + p * _xLogX + p * _xLogM - _logM - p * _frequencySum
                     - _byFrequency.Sum(f => f.Count * LogGamma(p * f.Frequency));
            return (p, nu, ll);
        }

        /// <summary>
        /// Where <paramref name="falling"/>, a function falling from ∞ to 0 on (0, ∞), equals <paramref name="target"/>:
        /// bisection on the log. A target that is not positive (no spread, to rounding) has no root: NaN.
        /// </summary>
        private static double Root(Func<double, double> falling, double target)
        {
            if (!(target > 0)) return double.NaN;
            double low = Math.Log(1e-12), high = Math.Log(1e15);
            for (var i = 0; i < 200 && high - low > 1e-13; i++)
            {
                var middle = (low + high) / 2;
                if (falling(Math.Exp(middle)) > target) low = middle;
                else high = middle;
            }
            return Math.Exp((low + high) / 2);
        }

        /// <summary>
        /// The log-likelihood at (p, q, γ); given an array, its derivatives by ln p, ln q and ln γ are written there. A
        /// customer's term is written as −ln B(p·x, q) − ln m̄ − p·x·ln(1 + γ/(m̄·x)) − q·ln(1 + m̄·x/γ), with the beta
        /// function's log-gammas differenced from the larger argument: no part of it grows with p or q where the whole does
        /// not, so the sum keeps its precision out where the search nears a limit (p or q in the millions).
        /// </summary>
        public double LogLikelihood(double p, double q, double gamma, double[]? gradient)
        {
            var ll = -_logM;
            double dp = 0, dq = 0, dGamma = 0;
            var psiQ = gradient is null ? 0 : Digamma(q);
            foreach (var (frequency, count) in _byFrequency)
            {
                var px = p * frequency;
                var (larger, smaller) = px >= q ? (px, q) : (q, px);
                ll += count * (LogGammaRatio(larger, smaller) - LogGamma(smaller));
                if (gradient is null) continue;
                var psiSum = Digamma(px + q);
                dp += count * frequency * (psiSum - Digamma(px));
                dq += count * (psiSum - psiQ);
            }
            foreach (var (x, m, count) in _byValue)
            {
                var mx = m * x;
                var (logOverValue, logOverGamma) = (Log1P(gamma / mx), Log1P(mx / gamma));
                ll -= count * (p * x * logOverValue + q * logOverGamma);
                if (gradient is null) continue;
                dp -= count * x * logOverValue;
                dq -= count * logOverGamma;
                // γ·(q/γ − (p·x + q)/(γ + m̄·x)), with the two terms' difference taken before it can cancel.
                dGamma += count * x * (q * m - gamma * p) / (gamma + mx);
            }
            if (gradient is not null) (gradient[0], gradient[1], gradient[2]) = (p * dp, q * dq, dGamma);
            return ll;
        }
    }
}
