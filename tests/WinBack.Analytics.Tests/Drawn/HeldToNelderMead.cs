using System.Diagnostics;
using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A fit on a drawn shop, held to the independent maximiser: its log-likelihood must be at least Nelder-Mead's best less
/// 1e-6 of it, its P(alive) must agree with the one at Nelder-Mead's best (from the fit's point where the fit is higher),
/// and on a large shop (50,000 customers or more) its parameters must be near the ones drawn from.
/// </summary>
public static class HeldToNelderMead
{
    /// <summary>Spread-out starts for Nelder-Mead on the logs of four parameters.</summary>
    public static readonly double[][] Starts = [[0, 0, 0, 0], [0, Math.Log(3), 0, Math.Log(3)], [Math.Log(0.2), 0, Math.Log(0.5), Math.Log(2)], [Math.Log(2), Math.Log(20), Math.Log(5), Math.Log(20)]];

    /// <summary>
    /// Starts for a large shop, where every Nelder-Mead step sums tens of thousands of groups: the parameters drawn from
    /// and all ones; on the smaller shops the four spread-out starts never found a higher maximum than these two.
    /// </summary>
    public static double[][] LargeShopStarts(DrawnShop shop) => [[Math.Log(shop.R), Math.Log(shop.Alpha), Math.Log(shop.A), Math.Log(shop.B)], Starts[0]];

    /// <summary>Relative tolerances for recovering r, α and the drop-out pair on a large shop.</summary>
    public static readonly double[] Recovery = [0.1, 0.1, 0.15, 0.15];

    /// <summary>
    /// Draws the shop, fits it with <paramref name="fit"/>, maximises <paramref name="reference"/> from <paramref name="starts"/>,
    /// and compares; <paramref name="recovery"/> gives the relative tolerances for the parameters on a large shop, and
    /// <paramref name="restarts"/> caps Nelder-Mead's restarts from its best point.
    /// </summary>
    public static (List<RepeatBuyer> Customers, TFit Fit, double[] NelderMead) Check<TFit>(ITestOutputHelper output, DrawnShop shop, Func<List<RepeatBuyer>, TFit> fit,
        Func<List<RepeatBuyer>, Func<double[], double>> reference, double[][]? starts = null, double[]? recovery = null, int restarts = 20) where TFit : IPurchaseModelFit
    {
        var customers = shop.Draw();
        var clock = Stopwatch.StartNew();
        var fitted = fit(customers);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        var (point, bestLl) = NelderMead.Maximise(reference(customers), starts ?? Starts, restarts);
        var best = point.Select(Math.Exp).ToArray();
        var model = (IParametricModel)fitted.Model;

        output.WriteLine($"{shop.Name}, {shop.Customers:N0} customers ({customers.Count(c => c.Frequency > 0):N0} repeat): drawn {Describe(model.ParameterNames, [shop.R, shop.Alpha, shop.A, shop.B])}; " +
                         $"fitted {fitted.Model.Name} {Describe(model.ParameterNames, model.Parameters)} (SE {string.Join(", ", fitted.StandardErrors.Values.Select(v => v.ToString("G3")))}) " +
                         $"LL {fitted.LogLikelihood:F4} in {fitSeconds:F2} s{(fitted.Limit is null ? "" : $" (limit: {fitted.Limit.Name})")}; " +
                         $"Nelder-Mead {Describe(model.ParameterNames, best)} LL {bestLl:F4} in {clock.Elapsed.TotalSeconds - fitSeconds:F1} s");
        fitted.LogLikelihood.Should().BeGreaterThanOrEqualTo(bestLl - 1e-6 * Math.Abs(bestLl), "the fit must reach the maximum an independent maximiser finds");
        // Where Nelder-Mead stopped below the fit, it goes on from the fit's point: the maximum it finds there is the one the
        // fit's P(alive) must agree with (a fit short of it on a flat ridge shows here, not in the log-likelihood). Where
        // the reference is not a number at the fit's point (its plain sums overflow far out), there is nothing to compare.
        var comparable = true;
        if (bestLl < fitted.LogLikelihood - 1e-6 * Math.Abs(bestLl))
        {
            var (fromFit, fromFitLl) = NelderMead.Maximise(reference(customers), [[.. model.Parameters.Select(p => Math.Log(p))]], restarts);
            comparable = fromFit.Length > 0;
            if (comparable)
            {
                (best, bestLl) = ([.. fromFit.Select(Math.Exp)], fromFitLl);
                output.WriteLine($"Nelder-Mead from the fit: {Describe(model.ParameterNames, best)} LL {bestLl:F4}");
                fitted.LogLikelihood.Should().BeGreaterThanOrEqualTo(bestLl - 1e-6 * Math.Abs(bestLl), "the fit must be at the maximum Nelder-Mead finds from it");
            }
            else output.WriteLine("The reference likelihood is not a number at the fit's point: P(alive) is not compared.");
        }
        if (comparable)
        {
            var atBest = model.WithParameters(best);
            customers.Max(c => Math.Abs(fitted.Model.ProbabilityAlive(c) - atBest.ProbabilityAlive(c))).Should().BeLessThan(0.002, "P(alive) at the fit and at the maximum agree");
        }
        if (shop.Customers >= 50_000)
        {
            double[] drawn = [shop.R, shop.Alpha, shop.A, shop.B];
            for (var i = 0; i < 4; i++)
                model.Parameters[i].Should().BeApproximately(drawn[i], (recovery ?? Recovery)[i] * drawn[i], $"{model.ParameterNames[i]} is recovered");
        }
        return (customers, fitted, best);
    }

    private static string Describe(IReadOnlyList<string> names, double[] values) => string.Join(", ", names.Select((n, i) => $"{n} {values[i]:G4}"));
}
