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

    /// <summary>Parameters from their logs, bounded to [1e-4, 1e6] so a line search never evaluates Γ(0).</summary>
    private static GammaGamma FromLogs(double[] p)
    {
        static double Bounded(double log) => Math.Exp(Math.Clamp(log, -9.21, 13.8));
        return new GammaGamma(Bounded(p[0]), Bounded(p[1]), Bounded(p[2]));
    }

    /// <summary>Fits p, q, γ on the customers with repeat purchases among <paramref name="repeatCustomers"/> (the others are skipped).</summary>
    public static (GammaGamma Model, double LogLikelihood) Fit(IEnumerable<RepeatBuyer> repeatCustomers)
    {
        // Customers with the same (x, mean value) are one weighted term, counted in a dictionary (no list per group).
        var counts = new Dictionary<(int Frequency, double AverageRepeatValue), int>();
        var (customers, valueSum) = (0, 0.0);
        foreach (var c in repeatCustomers)
        {
            if (c.Frequency <= 0 || c.AverageRepeatValue <= 0) continue;
            CollectionsMarshal.GetValueRefOrAddDefault(counts, (c.Frequency, c.AverageRepeatValue), out _)++;
            customers++;
            valueSum += c.AverageRepeatValue;
        }
        if (customers < PurchaseModels.MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The spend model needs at least {PurchaseModels.MinimumRepeatCustomers} customers who bought more than once.");
        var groups = counts.Select(g => (Customer: new RepeatBuyer(g.Key.Frequency, 0, 0, g.Key.AverageRepeatValue), Count: g.Value)).ToArray();
        double[] start = [0, 0, Math.Log(valueSum / customers)];
        var result = Bfgs.Minimise(p =>
        {
            var model = FromLogs(p);
            var ll = 0.0;
            foreach (var (customer, count) in groups) ll += count * model.LogLikelihood(customer);
            return double.IsFinite(ll) ? -ll : double.NaN;
        }, start);
        var model = FromLogs(result.Point);
        // The population mean spend p·γ/(q−1) exists only for q > 1.
        if (!double.IsFinite(result.Value) || model.Q <= 1) throw new NotEnoughDataException("The spend data do not pin the model down; no predicted value is shown.");
        return (model, -result.Value);
    }
}
