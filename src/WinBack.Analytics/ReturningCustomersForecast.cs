namespace WinBack.Analytics;

/// <summary>
/// How many customers are expected to come back (buy at least once) within a horizon, with an 80 % interval that holds
/// both the chance of who buys and the uncertainty of the fitted parameters (see <see cref="PurchaseModelFit{TModel}.ReturningCustomers"/>).
/// </summary>
public sealed record ReturningCustomersForecast(double Expected, double Lower, double Upper)
{
    /// <summary>The interval's coverage: from the 10th to the 90th percentile.</summary>
    public const double Level = 0.8;

    internal static ReturningCustomersForecast Of(IPurchaseModel model, StandardErrors errors, IReadOnlyList<RepeatBuyer> customers, double t, int draws, int seed,
        int sampledGroups = SampledGroups)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(draws);
        var grouped = RepeatBuyers.GroupedOf(customers);
        (double Mean, double Variance) Count(GroupedCustomers grouped, IPurchaseModel m)
        {
            var probabilities = GroupedForecasts.ProbabilitiesOfPurchaseWithin(m, grouped, t);
            double mean = 0, variance = 0;
            for (var g = 0; g < grouped.Counts.Length; g++)
            {
                mean += grouped.Counts[g] * probabilities[g];
                variance += grouped.Counts[g] * probabilities[g] * (1 - probabilities[g]);
            }
            return (mean, variance);
        }
        var parametric = (IParametricModel)model;
        var atFit = Count(grouped, model);
        var logs = parametric.Parameters.Select(p => Math.Log(p)).ToArray();
        var free = Enumerable.Range(0, logs.Length).Where(i => errors.LogCovariance[i, i] > 0).ToArray();
        var covariance = new double[free.Length, free.Length];
        for (var i = 0; i < free.Length; i++)
        for (var j = 0; j < free.Length; j++)
            covariance[i, j] = errors.LogCovariance[free[i], free[j]];
        var mixture = new List<(double Mean, double Variance)> { atFit };
        if (free.Length > 0 && draws > 0 && Cholesky.TryFactor(covariance, out var lower))
        {
            // The normal draws come first, in order, so the result does not depend on how the draws are spread over threads.
            var random = new Random(seed);
            var normals = Enumerable.Range(0, draws).Select(_ => free.Select(_ => StandardNormal(random)).ToArray()).ToArray();
            // Each draw moves the count by a factor that depends smoothly on the parameters, so it is taken on a spread
            // sample of the groups and applied to the whole count: a million customers' forecast costs two full sums, not
            // one per draw.
            var sample = grouped.Sample(sampledGroups);
            var sampleAtFit = ReferenceEquals(sample, grouped) ? atFit : Count(sample, model);
            var counts = new (double, double)[draws];
            Parallel.For(0, draws, d =>
            {
                var drawn = (double[])logs.Clone();
                for (var i = 0; i < free.Length; i++)
                for (var k = 0; k <= i; k++)
                    drawn[free[i]] += lower[i, k] * normals[d][k];
                var (mean, variance) = Count(sample, parametric.WithParameters([.. drawn.Select(v => Math.Exp(v))]));
                counts[d] = (Scaled(atFit.Mean, mean, sampleAtFit.Mean), Scaled(atFit.Variance, variance, sampleAtFit.Variance));
            });
            mixture = [.. counts];
        }
        double Cdf(double y) => mixture.Average(c => SpecialFunctions.NormalCdf((y - c.Mean) / Math.Sqrt(Math.Max(c.Variance, 1e-12))));
        double Quantile(double q)
        {
            var (low, high) = (mixture.Min(c => c.Mean - 10 * Math.Sqrt(c.Variance) - 1), mixture.Max(c => c.Mean + 10 * Math.Sqrt(c.Variance) + 1));
            for (var i = 0; i < 100 && high - low > 1e-9 * Math.Max(1, high); i++)
            {
                var middle = (low + high) / 2;
                if (Cdf(middle) < q) low = middle;
                else high = middle;
            }
            return Math.Clamp((low + high) / 2, 0, customers.Count);
        }
        var tail = (1 - Level) / 2;
        return new ReturningCustomersForecast(atFit.Mean, Quantile(tail), Quantile(1 - tail));
    }

    /// <summary>Groups a parameter draw is evaluated on; a shop with fewer distinct (x, t_x, T) has every one evaluated.</summary>
    internal const int SampledGroups = 5000;

    private static double Scaled(double whole, double sampled, double sampledAtFit) => sampledAtFit > 0 ? whole * sampled / sampledAtFit : whole;

    /// <summary>Box-Muller: one standard normal from two uniforms.</summary>
    private static double StandardNormal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
