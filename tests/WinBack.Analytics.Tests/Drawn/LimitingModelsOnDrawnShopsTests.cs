using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// Shops whose likelihood rises toward a boundary of the parameters (nobody leaves; one drop-out chance for all): the
/// fit still reaches what an independent Nelder-Mead finds, names the limiting model, and its predictions stay finite.
/// </summary>
public sealed class LimitingModelsOnDrawnShopsTests(ITestOutputHelper output)
{
    /// <summary>
    /// Where the maximum lies at a bound Nelder-Mead crawls along the ridge toward it from every start, gaining ever less
    /// with each restart: two spread-out starts, each run once, reach within the tolerance of the supremum there.
    /// </summary>
    private static readonly double[][] TowardALimit = [HeldToNelderMead.Starts[0], HeldToNelderMead.Starts[2]];

    [Fact]
    public void Customers_who_all_share_one_drop_out_chance_get_it_back_as_a_limit_or_a_tight_beta()
    {
        var shop = new DrawnShop("one drop-out chance for all", 0.5, 2, 3e8, 7e8, 5_000, 300, 364, 9);
        var (customers, fit, _) = HeldToNelderMead.Check(output, shop, BetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: false), TowardALimit, restarts: 1);

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
        var (customers, fit, _) = HeldToNelderMead.Check(output, shop, BetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: false), TowardALimit, restarts: 1);

        fit.Limit.Should().NotBeNull();
        fit.Limit!.Name.Should().StartWith("customers never drop out");
        fit.Limit.ForTheMerchant.Should().Contain("no sign of leaving");
        customers.Should().OnlyContain(c => fit.Model.ProbabilityAlive(c) > 0.99);
        fit.Model.R.Should().BeApproximately(0.8, 0.1);
    }

    [Fact]
    public void Mbg_and_pareto_nbd_limits_are_named_with_their_own_parameters()
    {
        LimitingModel.Of(new ModifiedBetaGeometricNbd(0.8, 6, 1e-7, 50))!.Name.Should().StartWith("customers never drop out (a → 0");
        LimitingModel.Of(new ModifiedBetaGeometricNbd(0.525, 6.183, 0.891, 1.614)).Should().BeNull();
        LimitingModel.Of(new ParetoNbd(0.8, 6, 3e-5, 3e6))!.Name.Should().StartWith("customers never drop out (s/β → 0");
        var sameLifetime = LimitingModel.Of(new ParetoNbd(0.5, 2, 2e5, 4e6))!;
        sameLifetime.Name.Should().Be("no drop-out heterogeneity (s, β → ∞: every customer's drop-out rate is the same, a mean lifetime of 20 weeks)");
        sameLifetime.DropoutUnbounded.Should().BeTrue();
        LimitingModel.Of(new ParetoNbd(3e6, 6e6, 0.8, 20))!.RateUnbounded.Should().BeTrue();
        LimitingModel.Of(new ParetoNbd(0.553, 10.578, 0.606, 11.669)).Should().BeNull();
    }

    [Fact]
    public void Pareto_nbd_on_customers_who_never_leave_names_that_limit_and_hides_the_lifetime_parameters()
    {
        var customers = new DrawnShop("nobody leaves", 0.8, 6, 0, 1, 3_000, 300, 364, 11).Draw();

        var fit = ParetoNbd.Fit(customers);

        fit.Limit!.Name.Should().StartWith("customers never drop out");
        fit.ShownParameters["s"].Should().BeNull();
        fit.ShownParameters["beta"].Should().BeNull();
        fit.ShownParameters["r"].Should().BeApproximately(0.8, 0.1);
        double.IsNaN(fit.StandardErrors["s"]).Should().BeTrue();
        fit.StandardErrors["r"].Should().BeInRange(0.005, 0.1);
        customers.Should().OnlyContain(c => fit.Model.ProbabilityAlive(c) > 0.99);
        fit.LogLikelihood.Should().BeApproximately(BetaGeometricNbd.Fit(customers).LogLikelihood, 0.05, "never leaving, both models are the same NBD");
    }
}
