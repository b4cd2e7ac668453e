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

    /// <summary>The customer's expected spend per order: a weighted mean of the population mean and their own average.</summary>
    public double ExpectedAverageValue(RepeatBuyer c)
    {
        double x = c.Frequency;
        var populationMean = P * Gamma / (Q - 1);
        var weight = (Q - 1) / (P * x + Q - 1);
        return weight * populationMean + (1 - weight) * (x > 0 ? c.AverageRepeatValue : populationMean);
    }

    /// <summary>
    /// The logs of p, q and γ are searched in [ln 1e-4, ln 1e6], so a line search never evaluates Γ(0); γ in units of the
    /// customers' mean repeat-order value (see <see cref="Fit"/>).
    /// </summary>
    private const double LowerLog = -9.21, UpperLog = 13.8;

    /// <summary>Fits p, q, γ on the customers with repeat purchases among <paramref name="repeatCustomers"/> (the others are skipped).</summary>
    public static (GammaGamma Model, double LogLikelihood) Fit(IEnumerable<RepeatBuyer> repeatCustomers)
    {
        var data = Folded.Of(repeatCustomers);
        if (data.Customers < PurchaseModels.MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The spend model needs at least {PurchaseModels.MinimumRepeatCustomers} customers who bought more than once.");
        // γ is in the shop's currency, whose unit may be worth 100,000 times another's (a Lebanese pound against a dollar):
        // it is searched in units of the customers' mean repeat-order value, so the bounds hold in every currency. Values c
        // times larger give the same p and q and c times γ; the log-likelihood is still that of the values as they are.
        var unit = data.ValueSum / data.Customers;
        double[] start = [0, 0, 0];
        var result = Bfgs.Minimise((logs, gradient) =>
        {
            if (!logs.All(l => l is >= LowerLog and <= UpperLog)) return double.NaN;
            var ll = data.LogLikelihood(Math.Exp(logs[0]), Math.Exp(logs[1]), unit * Math.Exp(logs[2]), gradient);
            if (gradient is not null)
                for (var i = 0; i < gradient.Length; i++) gradient[i] = -gradient[i];
            return double.IsFinite(ll) && (gradient is null || gradient.All(double.IsFinite)) ? -ll : double.NaN;
        }, start);
        var model = new GammaGamma(Math.Exp(result.Point[0]), Math.Exp(result.Point[1]), unit * Math.Exp(result.Point[2]));
        // The population mean spend p·γ/(q−1) exists only for q > 1.
        if (!double.IsFinite(result.Value) || model.Q <= 1) throw new NotEnoughDataException("The spend data do not pin the model down; no predicted value is shown.");
        return (model, -result.Value);
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
            }
            folded._byFrequency.AddRange(frequencies.Select(f => (f.Key, (double)f.Value)));
            folded._byValue.AddRange(counts.Select(g => ((double)g.Key.Frequency, g.Key.AverageRepeatValue, (double)g.Value)));
            return folded;
        }

        /// <summary>The log-likelihood at (p, q, γ); given an array, its derivatives by ln p, ln q and ln γ are written there.</summary>
        public double LogLikelihood(double p, double q, double gamma, double[]? gradient)
        {
            double n = Customers, logGamma = Math.Log(gamma);
            var ll = -n * LogGamma(q) + n * q * logGamma + p * _xLogM - _logM + p * _xLogX;
            double dp = _xLogM + _xLogX, dq = n * (logGamma - Digamma(q)), dGamma = n * q / gamma;
            foreach (var (frequency, count) in _byFrequency)
            {
                var px = p * frequency;
                ll += count * (LogGamma(px + q) - LogGamma(px));
                if (gradient is null) continue;
                var psiSum = Digamma(px + q);
                dp += count * frequency * (psiSum - Digamma(px));
                dq += count * psiSum;
            }
            foreach (var (x, m, count) in _byValue)
            {
                var denominator = gamma + m * x;
                var log = Math.Log(denominator);
                ll -= count * (p * x + q) * log;
                if (gradient is null) continue;
                dp -= count * x * log;
                dq -= count * log;
                dGamma -= count * (p * x + q) / denominator;
            }
            if (gradient is not null) (gradient[0], gradient[1], gradient[2]) = (p * dp, q * dq, gamma * dGamma);
            return ll;
        }
    }
}
