namespace WinBack.Analytics.Tests.Models;

/// <summary>
/// The spend model where its likelihood has no maximum inside the parameters: every order the same price, customers who
/// always spend their own average, customers who do not differ. The fit names the limit and gives each customer the
/// expected order the limit gives, never the numbers of the point where the search stopped.
/// </summary>
public sealed class SpendModelLimitTests
{
    [Fact]
    public void A_shop_where_every_order_is_the_same_price_expects_that_price_from_everyone()
    {
        var customers = Enumerable.Range(0, 300).Select(i => new RepeatBuyer(1 + i % 7, 1, 2, 25)).ToList();

        var fit = GammaGamma.Fit(customers);

        fit.Limit.Should().NotBeNull();
        fit.Limit!.Note.Should().Contain("Every customer who ordered again spent the same on average, 25.00");
        (fit.P, fit.Q, fit.Gamma, fit.Model).Should().Be((null, null, null, null), "no parameter is estimated when there is no spread at all");
        fit.Estimate.ExpectedAverageValue(new RepeatBuyer(0, 0, 3)).Should().Be(25, "a customer who has not ordered again is expected to pay the one price");
        fit.Estimate.ExpectedAverageValue(customers[3]).Should().Be(25);
    }

    /// <summary>
    /// The same spread of mean orders among customers with one repeat order as among those with eight: a customer's
    /// average does not settle as their orders add up, so it is all theirs (p → ∞). In a small shop and in one of 105,000
    /// customers, where the sums near the limit are largest.
    /// </summary>
    [Theory]
    [InlineData(12)]
    [InlineData(3_000)]
    public void Customers_whose_averages_do_not_settle_with_more_orders_are_expected_to_spend_their_own_average(int copies)
    {
        double[] means = [18, 25, 32, 45, 60, 90, 140];
        var customers = (from x in new[] { 1, 2, 3, 5, 8 } from m in means from copy in Enumerable.Range(0, copies) select new RepeatBuyer(x, 1, 2, m)).ToList();

        var fit = GammaGamma.Fit(customers);

        fit.Limit.Should().NotBeNull();
        fit.Limit!.Name.Should().StartWith("no spread within a customer's orders");
        (fit.P, fit.Gamma, fit.Model).Should().Be((null, null, null), "p and γ run off; only q is estimated");
        fit.Q.Should().BeGreaterThan(1);
        fit.Estimate.ExpectedAverageValue(new RepeatBuyer(1, 1, 2, 140)).Should().BeApproximately(140, 1e-9, "a repeat customer is expected to spend their own average");
        // Inverse gamma's maximum: δ = q / mean(1/m̄), and the shop's average δ/(q − 1) lies between the harmonic and the plain mean.
        var harmonic = 1 / means.Average(m => 1 / m);
        var newCustomer = fit.Estimate.ExpectedAverageValue(new RepeatBuyer(0, 0, 3));
        newCustomer.Should().BeApproximately(harmonic * fit.Q!.Value / (fit.Q.Value - 1), 1e-9 * newCustomer);
        newCustomer.Should().BeInRange(harmonic, means.Average() * 1.2);
        // Nowhere inside is the likelihood as high: along the way out it rises toward the limit's.
        var folded = GammaGamma.Folded.Of(customers);
        var delta = fit.Estimate.ShopAverage * (fit.Q.Value - 1);
        var along = new[] { 1e2, 1e4, 1e6 }.Select(p => folded.LogLikelihood(p, fit.Q.Value, delta / p, null)).ToList();
        along.Should().BeInAscendingOrder().And.OnlyContain(ll => ll < fit.LogLikelihood!.Value);
        along[^1].Should().BeApproximately(fit.LogLikelihood!.Value, 1e-4 * copies, "the limit's likelihood is where the model's goes");
    }

    /// <summary>
    /// Every customer's orders drawn from the same two prices, $10 and $30, with every order sequence of one to six orders
    /// present as often: customers' averages differ only as chance makes them differ (q → ∞). In a small shop and in one
    /// of 96,000 customers.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(250)]
    public void Customers_who_differ_only_by_chance_are_all_expected_to_spend_the_shop_average(int copies)
    {
        var customers = (from x in Enumerable.Range(1, 6)
                         from sequence in Enumerable.Range(0, 1 << x)
                         let thirties = System.Numerics.BitOperations.PopCount((uint)sequence)
                         from copy in Enumerable.Range(0, copies * 64 >> x)
                         select new RepeatBuyer(x, 1, 2, (10.0 * (x - thirties) + 30.0 * thirties) / x)).ToList();

        var fit = GammaGamma.Fit(customers);

        fit.Limit.Should().NotBeNull();
        fit.Limit!.Name.Should().StartWith("no spread between customers' order values");
        (fit.Q, fit.Gamma, fit.Model).Should().Be((null, null, null), "q and γ run off; only p is estimated");
        fit.P.Should().BePositive();
        fit.Estimate.ShopAverage.Should().BeApproximately(20, 1e-9, "the orders' mean is $20");
        fit.Estimate.ExpectedAverageValue(new RepeatBuyer(6, 1, 2, 30)).Should().BeApproximately(20, 1e-9, "six $30 orders are chance too");
        var folded = GammaGamma.Folded.Of(customers);
        var nu = fit.P!.Value / fit.Estimate.ShopAverage;
        var along = new[] { 1e2, 1e4, 1e6 }.Select(q => folded.LogLikelihood(fit.P.Value, q, q / nu, null)).ToList();
        along.Should().BeInAscendingOrder().And.OnlyContain(ll => ll < fit.LogLikelihood!.Value);
        along[^1].Should().BeApproximately(fit.LogLikelihood!.Value, 1e-2 * copies, "the limit's likelihood is where the model's goes");
    }

    [Fact]
    public void Spend_with_a_maximum_inside_is_fitted_there_even_next_to_a_limit()
    {
        // Three price points, $15, $25 and $40, each customer keeping mostly to one: the orders vary within a customer, and customers differ.
        var random = new Random(11);
        double[] tiers = [15, 25, 40];
        var customers = Enumerable.Range(0, 1_500).Select(i =>
        {
            var x = 1 + i % 6;
            var own = tiers[i % 3];
            var orders = Enumerable.Range(0, x).Select(_ => random.NextDouble() < 0.8 ? own : tiers[random.Next(3)]).ToList();
            return new RepeatBuyer(x, 1, 2, orders.Average());
        }).ToList();

        var fit = GammaGamma.Fit(customers);

        fit.Limit.Should().BeNull();
        fit.Model.Should().NotBeNull();
        fit.LogLikelihood!.Value.Should().BeGreaterThan(GammaGamma.Folded.Of(customers).WithoutSpreadWithinCustomers().LogLikelihood);
        fit.LogLikelihood!.Value.Should().BeGreaterThan(GammaGamma.Folded.Of(customers).WithoutSpreadBetweenCustomers().LogLikelihood);
    }
}
