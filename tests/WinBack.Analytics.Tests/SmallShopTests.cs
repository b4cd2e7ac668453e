namespace WinBack.Analytics.Tests;

/// <summary>A small shop gets numbers or an honest "not enough data", never a crash or NaN.</summary>
public sealed class SmallShopTests
{
    [Fact]
    public void Thirty_customers_get_finite_answers()
    {
        var random = new Random(4);
        var customers = Enumerable.Range(0, 30).Select(i =>
        {
            var age = 20 + random.Next(30);
            var x = random.Next(5);
            return new RepeatBuyer(x, x == 0 ? 0 : random.Next(1, age), age, x == 0 ? 0 : 20 + random.Next(80));
        }).ToList();

        var (model, ll) = BetaGeometricNbd.Fit(customers);

        double.IsFinite(ll).Should().BeTrue();
        customers.Should().OnlyContain(c => model.ProbabilityAlive(c) >= 0 && model.ProbabilityAlive(c) <= 1);
        customers.Should().OnlyContain(c => double.IsFinite(model.ExpectedPurchases(c, 52)) && model.ExpectedPurchases(c, 52) >= 0);
    }

    [Fact]
    public void Parameters_at_their_bounds_still_give_finite_long_horizon_predictions()
    {
        var model = new BetaGeometricNbd(0.7, 3.3, 1000, 1000);

        var expected = model.ExpectedPurchases(new RepeatBuyer(3, 40, 44), 5200);

        double.IsFinite(expected).Should().BeTrue();
        expected.Should().BeInRange(0, 5200 / 3.3 * 2, "a rate near r/α a week cannot buy more than about that");
    }

    [Fact]
    public void A_shop_where_almost_nobody_bought_twice_is_told_there_is_not_enough_data()
    {
        var customers = Enumerable.Range(0, 40).Select(i => new RepeatBuyer(i < 2 ? 1 : 0, i < 2 ? 3 : 0, 30)).ToList();

        var fit = () => BetaGeometricNbd.Fit(customers);
        var spend = () => GammaGamma.Fit(customers);

        fit.Should().Throw<NotEnoughDataException>().WithMessage("*at least 5 customers who bought more than once*");
        spend.Should().Throw<NotEnoughDataException>();
    }
}
