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
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop) => FitAndHoldToNelderMead(shop);

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

    private (List<RepeatBuyer> Customers, PurchaseModelFit<BetaGeometricNbd> Fit, BetaGeometricNbd NelderMead) FitAndHoldToNelderMead(DrawnShop shop)
    {
        var (customers, fit, best) = HeldToNelderMead.Check(output, shop, BetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: false));
        return (customers, fit, new BetaGeometricNbd(best[0], best[1], best[2], best[3]));
    }
}
