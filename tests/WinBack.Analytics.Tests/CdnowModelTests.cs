namespace WinBack.Analytics.Tests;

/// <summary>
/// The models against the published CDNOW numbers (1/10 sample, 2,357 customers, calibration to 1997-09-30, weeks):
/// Fader, Hardie &amp; Lee (2005) for BG/NBD, Fader &amp; Hardie (2013) for Gamma-Gamma, and the oracles of
/// ../shared/reference/analytics-models.md §9.
/// </summary>
public sealed class CdnowModelTests
{
    private static readonly BetaGeometricNbd Mle = new(0.2425929, 4.4135316, 0.7928860, 2.4257537);

    [Fact]
    public void Bg_nbd_fit_reproduces_the_published_parameters_and_log_likelihood()
    {
        var (model, ll) = BetaGeometricNbd.Fit(Cdnow.Customers);

        Math.Round(model.R, 3).Should().Be(0.243);
        Math.Round(model.Alpha, 3).Should().Be(4.414);
        Math.Round(model.A, 3).Should().Be(0.793);
        Math.Round(model.B, 3).Should().Be(2.426);
        Math.Round(ll, 1).Should().Be(-9582.4);
        ll.Should().BeApproximately(-9582.42556, 1e-3);
    }

    [Fact]
    public void Gamma_gamma_fit_reproduces_the_published_parameters()
    {
        var fit = GammaGamma.Fit(Cdnow.Customers.Where(c => c.Frequency > 0).ToList());
        var (model, ll) = (fit.Model!, fit.LogLikelihood!.Value);

        fit.Limit.Should().BeNull("CDNOW's spend has a maximum inside the parameters");
        Math.Round(model.P, 2).Should().Be(6.25);
        Math.Round(model.Q, 2).Should().Be(3.74);
        Math.Round(model.Gamma, 2).Should().Be(15.45, "the MLE is 15.447751; the paper rounds to 15.44");
        ll.Should().BeApproximately(-4055.9232, 1e-3);
    }

    /// <summary>
    /// Spend is in the shop's currency, whose unit can be worth a hundred thousand times another's: CDNOW's dollars as
    /// Kuwaiti dinars (0.3 to the dollar) or Lebanese pounds (about 90,000). The model is the same, its γ in the currency's
    /// units; the log-likelihood of the values moves by the unit's change of scale, ln(c) per customer.
    /// </summary>
    [Theory]
    [InlineData(0.3)]
    [InlineData(100)]
    [InlineData(100_000)]
    public void Gamma_gamma_fit_is_the_same_in_any_currency(double perDollar)
    {
        var customers = Cdnow.Customers.Where(c => c.Frequency > 0).ToList();
        var inDollars = GammaGamma.Fit(customers);
        var (dollars, dollarsLogLikelihood) = (inDollars.Model!, inDollars.LogLikelihood!.Value);

        var fit = GammaGamma.Fit(customers.Select(c => c with { AverageRepeatValue = c.AverageRepeatValue * perDollar }).ToList());
        var (model, ll) = (fit.Model!, fit.LogLikelihood!.Value);

        model.P.Should().BeApproximately(dollars.P, 1e-4 * dollars.P);
        model.Q.Should().BeApproximately(dollars.Q, 1e-4 * dollars.Q);
        model.Gamma.Should().BeApproximately(dollars.Gamma * perDollar, 1e-4 * dollars.Gamma * perDollar);
        ll.Should().BeApproximately(dollarsLogLikelihood - customers.Count * Math.Log(perDollar), 1e-3);
    }

    [Theory]
    [InlineData(1, 0.726609, 0.037443, 0.457157, 1.225911)]
    [InlineData(2, 0.212227, 0.006065, 0.074698, 0.203251)]
    [InlineData(3, 1.0, 0.005586, 0.069811, 0.194781)]
    [InlineData(6, 0.641801, 0.106632, 1.279183, 3.337240)]
    [InlineData(157, 0.969134, 0.662396, 7.838021, 20.053666)]
    [InlineData(1516, 0.968920, 0.710623, 8.277634, 20.750571)]
    public void P_alive_and_expected_purchases_match_the_oracles(int id, double alive, double week, double quarter, double threeQuarters)
    {
        var customer = Cdnow.Customer(id);

        Mle.ProbabilityAlive(customer).Should().BeApproximately(alive, alive * 1e-4);
        Mle.ExpectedPurchases(customer, 1).Should().BeApproximately(week, week * 1e-4);
        Mle.ExpectedPurchases(customer, 13).Should().BeApproximately(quarter, quarter * 1e-4);
        Mle.ExpectedPurchases(customer, 39).Should().BeApproximately(threeQuarters, threeQuarters * 1e-4);
    }

    [Theory]
    [InlineData(1000, 99, 100, 1000, 234.323744552)]
    [InlineData(200, 38, 40, 39, 3.29436671364)]
    [InlineData(500, 39.9, 40, 100, 665.758178205)]
    [InlineData(0, 0, 1, 1000, 6.0389150539)]
    [InlineData(50, 50, 52, 5200, 354.166341167)]
    public void Large_frequencies_and_horizons_stay_finite_and_right(int x, double tx, double age, double t, double expected)
    {
        Mle.ExpectedPurchases(new RepeatBuyer(x, tx, age), t).Should().BeApproximately(expected, expected * 1e-4);
    }

    [Fact]
    public void The_stable_log_likelihood_matches_note_027_and_a_sleeping_customer_is_not_alive()
    {
        var model = new BetaGeometricNbd(0.25, 4.00, 0.80, 2.50);

        model.LogLikelihood(new RepeatBuyer(0, 0, 40)).Should().BeApproximately(-0.59947382, 1e-6);
        model.LogLikelihood(new RepeatBuyer(200, 38, 40)).Should().BeApproximately(100.7957, 1e-4);
        Mle.ProbabilityAlive(new RepeatBuyer(1000, 10, 100)).Should().Be(0);
        Mle.ProbabilityAlive(Cdnow.Customer(1901)).Should().BeApproximately(2.49e-11, 0.01e-11);
    }

    private static readonly BetaGeometricNbd Paper = new(0.243, 4.414, 0.793, 2.426);

    [Fact]
    public void The_chance_of_n_purchases_matches_R_BTYD()
    {
        Paper.ProbabilityOfPurchases(2, 10).Should().BeApproximately(1.07869e-07, 1.07869e-07 * 1e-4);
        Paper.ProbabilityOfPurchases(39, 0).Should().BeApproximately(0.5737864, 0.5737864 * 1e-4);
        double[] expected = [0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638, 0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260];
        for (var n = 11; n <= 20; n++)
            Paper.ProbabilityOfPurchases(30, n).Should().BeApproximately(expected[n - 11], expected[n - 11] * 1e-4, $"P(X(30)={n})");
        Enumerable.Range(0, 400).Sum(n => Paper.ProbabilityOfPurchases(52, n)).Should().BeApproximately(1, 1e-6, "the chances of every count add up to one");
    }

    [Theory]
    [InlineData(0.1429, 0.00782)]
    [InlineData(1, 0.05318)]
    [InlineData(3, 0.15063)]
    [InlineData(31.8571, 1.04049)]
    [InlineData(32, 1.04374)]
    [InlineData(78, 1.85797)]
    public void A_new_customers_expected_purchases_match_the_Hardie_sheet(double t, double expected) =>
        Mle.ExpectedPurchasesOfNewCustomer(t).Should().BeApproximately(expected, expected * 1e-3, "the oracle is given to five decimals");

    [Fact]
    public void The_discounted_twelve_month_value_matches_lifetimes_in_weeks()
    {
        var customers = Cdnow.Customers;
        var (purchases, _) = BetaGeometricNbd.Fit(customers);
        var spend = GammaGamma.Fit(customers.Where(c => c.Frequency > 0).ToList()).Estimate;
        var expected = new Dictionary<int, double> { [1] = 36.278501, [2] = 4.637468, [3] = 8.344093, [6] = 283.523607, [7] = 6.881410, [9] = 43.353648 };

        foreach (var (id, value) in expected)
        {
            var customer = Cdnow.Customer(id);
            purchases.DiscountedValue(customer, spend.ExpectedAverageValue(customer)).Should().BeApproximately(value, value * 1e-4, $"customer {id}");
        }
    }
}
