using System.Diagnostics;
using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The BG/NBD fit on shops drawn from known parameters (weeks, daily dates): it reaches the maximum an independent
/// Nelder-Mead finds from several starts, and at the large sizes it recovers the parameters the customers were drawn from.
/// </summary>
public sealed class FitOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop> Shops =>
    [
        new("CDNOW-like", 0.25, 4.4, 0.8, 2.4, 10_000, 84, 273, 1),
        new("mostly one-time buyers, α under a week", 0.1, 0.5, 1.2, 0.8, 100_000, 700, 730, 2),
        new("one-time buyers who leave early", 0.3, 0.8, 0.5, 1.5, 100_000, 365, 400, 3),
        new("frequent buyers", 2, 4, 0.3, 8, 5_000, 180, 200, 4),
        new("small shop", 0.6, 0.5, 2, 5, 1_000, 360, 364, 5),
        new("very uneven rates", 0.15, 0.3, 3, 2, 50_000, 500, 540, 6),
        new("steady regulars over two years", 1.2, 12, 0.9, 10, 20_000, 700, 728, 7),
        new("weekly buyers, few leave", 5, 10, 0.1, 3, 2_000, 90, 120, 8),
    ];

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop)
    {
        var (customers, fit, best) = FitAndHoldToNelderMead(shop);
        var model = fit.Model;

        customers.Max(c => Math.Abs(model.ProbabilityAlive(c) - best.ProbabilityAlive(c))).Should().BeLessThan(0.002, "P(alive) at the fit and at the maximum agree");
        if (shop.Customers >= 50_000)
        {
            model.R.Should().BeApproximately(shop.R, 0.1 * shop.R);
            model.Alpha.Should().BeApproximately(shop.Alpha, 0.1 * shop.Alpha);
            model.A.Should().BeApproximately(shop.A, 0.15 * shop.A);
            model.B.Should().BeApproximately(shop.B, 0.15 * shop.B);
        }
    }

    [Fact]
    public void Customers_who_all_share_one_drop_out_chance_get_it_back_as_a_limit_or_a_tight_beta()
    {
        var shop = new DrawnShop("one drop-out chance for all", 0.5, 2, 3e8, 7e8, 5_000, 300, 364, 9);
        var (customers, fit, _) = FitAndHoldToNelderMead(shop);

        var (a, b) = (fit.Model.A, fit.Model.B);
        (a / (a + b)).Should().BeApproximately(0.3, 0.03, "the shared chance is the one the customers were drawn with");
        Math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1))).Should().BeLessThan(0.05, "a sample's maximum may sit at large but finite a, b: chances that hardly differ");
        if (fit.Limit is not null) fit.Limit.Name.Should().StartWith("no drop-out heterogeneity (a, b → ∞");
        customers.Take(200).Should().OnlyContain(c => double.IsFinite(fit.Model.DiscountedValue(c, 50)));
    }

    [Fact]
    public void At_the_bounds_the_limiting_models_are_named_and_their_predictions_stay_finite()
    {
        var sameDropout = new BetaGeometricNbd(0.5, 2, 3e5, 7e5);
        var neverDropOut = new BetaGeometricNbd(0.8, 6, 1e-7, 50);
        var sameRate = new BetaGeometricNbd(2e4, 1e4, 0.8, 2.4);

        LimitingModel.Of(sameDropout)!.Name.Should().Be("no drop-out heterogeneity (a, b → ∞: every customer's drop-out probability is the same, 30.0% after each purchase)");
        LimitingModel.Of(neverDropOut)!.Name.Should().StartWith("customers never drop out (a → 0");
        LimitingModel.Of(sameRate)!.RateUnbounded.Should().BeTrue();
        LimitingModel.Of(new BetaGeometricNbd(0.243, 4.414, 0.793, 2.426)).Should().BeNull();
        var customer = new RepeatBuyer(4, 30, 40);
        sameDropout.ExpectedPurchases(customer, 52).Should().BeApproximately(new BetaGeometricNbd(0.5, 2, 300, 700).ExpectedPurchases(customer, 52), 0.01,
            "the closed form for one shared chance continues the series");
        neverDropOut.ExpectedPurchases(customer, 52).Should().BeApproximately((0.8 + 4) * 52 / (6 + 40), 1e-4, "never leaving, the posterior rate times the horizon");
    }

    [Fact]
    public void Customers_who_never_leave_get_that_limiting_model_and_are_all_alive()
    {
        var shop = new DrawnShop("nobody leaves", 0.8, 6, 0, 1, 10_000, 300, 364, 10);
        var (customers, fit, _) = FitAndHoldToNelderMead(shop);

        fit.Limit.Should().NotBeNull();
        fit.Limit!.Name.Should().StartWith("customers never drop out");
        fit.Limit.ForTheMerchant.Should().Contain("no sign of leaving");
        customers.Should().OnlyContain(c => fit.Model.ProbabilityAlive(c) > 0.99);
        fit.Model.R.Should().BeApproximately(0.8, 0.1);
    }

    /// <summary>Draws the shop, fits it, and requires the fit's log-likelihood to be at least Nelder-Mead's less 1e-6 of it.</summary>
    private (List<RepeatBuyer> Customers, PurchaseModelFit<BetaGeometricNbd> Fit, BetaGeometricNbd NelderMead) FitAndHoldToNelderMead(DrawnShop shop)
    {
        var customers = shop.Draw();
        var clock = Stopwatch.StartNew();
        var fit = BetaGeometricNbd.Fit(customers);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        var (best, bestLl) = IndependentMaximum(customers);

        output.WriteLine($"{shop.Name}, {shop.Customers:N0} customers ({customers.Count(c => c.Frequency > 0):N0} repeat): " +
                         $"drawn r {shop.R}, α {shop.Alpha}, a {shop.A}, b {shop.B}; fitted {Describe(fit.Model)} LL {fit.LogLikelihood:F4} in {fitSeconds:F2} s" +
                         $"{(fit.Limit is null ? "" : $" (limit: {fit.Limit.Name})")}; Nelder-Mead {Describe(best)} LL {bestLl:F4}");
        fit.LogLikelihood.Should().BeGreaterThanOrEqualTo(bestLl - 1e-6 * Math.Abs(bestLl), "the fit must reach the maximum an independent maximiser finds");
        return (customers, fit, best);
    }

    private static string Describe(BetaGeometricNbd m) => $"r {m.R:G4}, α {m.Alpha:G4}, a {m.A:G4}, b {m.B:G4}";

    /// <summary>
    /// Nelder-Mead on the logs of the parameters from four spread-out starts, over the reference's likelihood (A1 … A4 of
    /// analytics-models.md §3.1) written out here, with the terms that depend on x, T or t_x alone computed once per value.
    /// </summary>
    private static (BetaGeometricNbd Model, double LogLikelihood) IndependentMaximum(List<RepeatBuyer> customers)
    {
        var groups = customers.GroupBy(c => c).Select(g => (Customer: g.Key, Count: g.Count())).ToArray();
        var xs = groups.Select(g => g.Customer.Frequency).Distinct().ToArray();
        var times = groups.SelectMany(g => new[] { g.Customer.Age, g.Customer.Recency }).Distinct().ToArray();
        var xIndex = xs.Select((x, i) => (x, i)).ToDictionary(p => p.x, p => p.i);
        var timeIndex = times.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        var rows = groups.Select(g => (X: xIndex[g.Customer.Frequency], Age: timeIndex[g.Customer.Age], Recency: timeIndex[g.Customer.Recency], g.Count, Frequency: (double)g.Customer.Frequency)).ToArray();
        static BetaGeometricNbd Model(double[] p) => new(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
        double LogLikelihood(double[] p)
        {
            var (r, alpha, a, b) = Model(p);
            var a1A2 = xs.Select(x => SpecialFunctions.LogGamma(r + x) - SpecialFunctions.LogGamma(r) + r * Math.Log(alpha)
                                      + SpecialFunctions.LogGamma(a + b) + SpecialFunctions.LogGamma(b + x) - SpecialFunctions.LogGamma(b) - SpecialFunctions.LogGamma(a + b + x)).ToArray();
            var dropout = xs.Select(x => x > 0 ? Math.Log(a) - Math.Log(b + x - 1) : double.NegativeInfinity).ToArray();
            var logTime = times.Select(t => Math.Log(alpha + t)).ToArray();
            var sum = 0.0;
            foreach (var row in rows)
                sum += row.Count * (a1A2[row.X] + SpecialFunctions.LogAddExp(-(r + row.Frequency) * logTime[row.Age], dropout[row.X] - (r + row.Frequency) * logTime[row.Recency]));
            return sum;
        }
        double[][] starts = [[0, 0, 0, 0], [0, Math.Log(3), 0, Math.Log(3)], [Math.Log(0.2), 0, Math.Log(0.5), Math.Log(2)], [Math.Log(2), Math.Log(20), Math.Log(5), Math.Log(20)]];
        var (point, value) = NelderMead.Maximise(LogLikelihood, starts);
        return (Model(point), value);
    }
}
