using WinBack.Analytics.Tests.Drawn;

namespace WinBack.Analytics.Tests.Models;

/// <summary>
/// MBG/NBD and Pareto/NBD against the published CDNOW numbers (analytics-models.md §8, §9.4), the three models' standard
/// errors against lifetimes and CLVTools, Pareto/NBD's chance of a purchase against a simulation and a brute-force
/// integral, and the returning-customers forecast against what CDNOW's customers did in the 39 weeks after calibration.
/// </summary>
public sealed class CdnowPurchaseModelsTests
{
    private static readonly Lazy<PurchaseModelFits> Fits = new(() => PurchaseModels.FitAll(Cdnow.Customers));

    [Fact]
    public void Mbg_nbd_fit_reproduces_BTYDplus()
    {
        var fit = Fits.Value.MbgNbd!;

        fit.Model.R.Should().BeApproximately(0.52484, 2e-5);
        fit.Model.Alpha.Should().BeApproximately(6.18299, 2e-4);
        fit.Model.A.Should().BeApproximately(0.89136, 2e-5);
        fit.Model.B.Should().BeApproximately(1.61400, 5e-5);
        fit.LogLikelihood.Should().BeApproximately(-9582.1327, 1e-3);
        fit.Limit.Should().BeNull();
        fit.Model.Name.Should().Be("MBG/NBD");
    }

    [Fact]
    public void Mbg_nbd_gives_one_time_buyers_a_real_chance_of_being_gone_and_matches_the_oracles()
    {
        var model = new ModifiedBetaGeometricNbd(0.52484, 6.18299, 0.89136, 1.61400);

        model.ExpectedPurchases(Cdnow.Customer(1), 39).Should().BeApproximately(1.26267, 1e-4);
        model.ProbabilityAlive(new RepeatBuyer(0, 0, 38.86)).Should().BeApproximately(0.3897, 1e-4);
        Cdnow.Customers.Where(c => c.Frequency == 0).Should().OnlyContain(c => model.ProbabilityAlive(c) < 0.5, "a one-time buyer of CDNOW is more likely gone than not");
        model.ExpectedPurchasesOfNewCustomer(52).Should().BeApproximately(
            model.ProbabilityAlive(new RepeatBuyer(0, 0, 0)) * new BetaGeometricNbd(0.52484, 6.18299, 0.89136, 1.61400 + 1).ExpectedPurchasesOfNewCustomer(52), 1e-9,
            "alive after the first purchase (chance b/(a+b)), a new MBG/NBD customer is a BG/NBD one with b + 1");
    }

    [Fact]
    public void Pareto_nbd_fit_reproduces_CLVTools()
    {
        var fit = Fits.Value.ParetoNbd!;

        fit.Model.R.Should().BeApproximately(0.55315, 0.55315 * 1e-3);
        fit.Model.Alpha.Should().BeApproximately(10.57633, 10.57633 * 1e-3);
        fit.Model.S.Should().BeApproximately(0.60625, 0.60625 * 1e-3);
        fit.Model.Beta.Should().BeApproximately(11.67150, 11.67150 * 1e-3);
        fit.LogLikelihood.Should().BeApproximately(-9594.98, 0.01);
        fit.LogLikelihood.Should().BeGreaterThanOrEqualTo(new ParetoNbd(0.55315, 10.57633, 0.60625, 11.67150).LogLikelihood(Cdnow.Customers), "CLVTools' optimum is no higher");
        new ParetoNbd(0.553, 10.578, 0.606, 11.669).LogLikelihood(Cdnow.Customers).Should().BeApproximately(-9594.974, 1e-3, "the reference's LL at the published parameters");
    }

    [Fact]
    public void Pareto_nbd_matches_the_BTYD_and_lifetimes_oracles()
    {
        var customer = new RepeatBuyer(26, 30.86, 31);
        new ParetoNbd(0.5534, 10.5802, 0.6061, 11.6562).ProbabilityAlive(customer).Should().BeApproximately(0.99792, 1e-5);
        new ParetoNbd(0.55315, 10.57633, 0.60625, 11.67150).ExpectedPurchases(customer, 52).Should().BeApproximately(25.4572, 1e-4);
        var underflow = new ParetoNbd(0.55, 10.58, 0.61, 11.67);
        underflow.ExpectedPurchases(new RepeatBuyer(132, 200, 200), 10).Should().BeApproximately(6.2060517889632418, 1e-12);
        underflow.ExpectedPurchases(new RepeatBuyer(133, 200, 200), 10).Should().BeApproximately(6.2528722475748113, 1e-12);
        double[] newCustomer = [0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211];
        for (var t = 0; t < newCustomer.Length; t++)
            new ParetoNbd(0.55, 10.56, 0.61, 11.64).ExpectedPurchasesOfNewCustomer(t).Should().BeApproximately(newCustomer[t], 1e-8, $"E[X({t})]");
    }

    [Theory]
    [InlineData(221)]
    [InlineData(254)]
    [InlineData(161)]
    [InlineData(204)]
    public void Pareto_nbd_stays_finite_for_the_customers_CLVTools_saw_NaN_for(int x)
    {
        // analytics-models.md §12.2, pitfall 7: these parameters and frequencies gave NaN P(alive) elsewhere.
        var model = new ParetoNbd(0.5143, 2.8845, 0.2856, 14.1087);
        foreach (var (recency, age) in new[] { (51.9, 52.0), (30.0, 52.0), (5.0, 52.0), (1.0, 104.0) })
        {
            var c = new RepeatBuyer(x, recency, age);
            double.IsFinite(model.LogLikelihood(c)).Should().BeTrue($"ln L for {c}");
            model.ProbabilityAlive(c).Should().BeInRange(0, 1);
            model.ExpectedPurchases(c, 52).Should().BeInRange(0, 52 * (0.5143 + x) / (2.8845 + age) * 1.0001);
            model.ProbabilityOfPurchaseWithin(c, 4).Should().BeInRange(0, model.ProbabilityAlive(c));
        }
        model.ProbabilityAlive(new RepeatBuyer(x, 1, 104)).Should().BeLessThan(1e-6, $"{x} purchases in the first week, then none for two years");
        model.ProbabilityAlive(new RepeatBuyer(x, 51.9, 52)).Should().BeGreaterThan(0.99, "a purchase in the last days");
    }

    [Fact]
    public void Standard_errors_match_lifetimes_and_CLVTools()
    {
        var bg = Fits.Value.BgNbd!.StandardErrors;
        double[] lifetimes = [0.012557, 0.378221, 0.185719, 0.705345];
        for (var i = 0; i < 4; i++) bg.Values[i].Should().BeApproximately(lifetimes[i], lifetimes[i] * 5e-3, bg.Names[i]);
        bg.Names.Should().Equal("r", "alpha", "a", "b");

        var pareto = Fits.Value.ParetoNbd!.StandardErrors;
        double[] clvTools = [0.0476, 0.8427, 0.1873, 6.2105];
        for (var i = 0; i < 4; i++) pareto.Values[i].Should().BeApproximately(clvTools[i], clvTools[i] * 0.05, pareto.Names[i]);
        pareto["beta"].Should().Be(pareto.Values[3]);
        pareto.Names.Should().Equal("r", "alpha", "s", "beta");
    }

    [Fact]
    public void Mbg_nbd_standard_errors_match_an_independent_finite_difference_information()
    {
        var fit = Fits.Value.MbgNbd!;
        var customers = Cdnow.Customers;
        double[] theta = [fit.Model.R, fit.Model.Alpha, fit.Model.A, fit.Model.B];
        double LogLikelihood(double[] p) => new ModifiedBetaGeometricNbd(p[0], p[1], p[2], p[3]).LogLikelihood(customers);
        var information = new double[4, 4];
        for (var i = 0; i < 4; i++)
        for (var j = 0; j < 4; j++)
        {
            double At(double di, double dj)
            {
                var p = (double[])theta.Clone();
                p[i] += di * theta[i];
                p[j] += dj * theta[j];
                return LogLikelihood(p);
            }
            const double h = 1e-3;
            information[i, j] = -(At(h, h) - At(h, -h) - At(-h, h) + At(-h, -h)) / (4 * h * h * theta[i] * theta[j]);
        }
        var covariance = Invert(information);

        for (var i = 0; i < 4; i++) fit.StandardErrors.Values[i].Should().BeApproximately(Math.Sqrt(covariance[i, i]), Math.Sqrt(covariance[i, i]) * 0.01, fit.StandardErrors.Names[i]);
    }

    [Theory]
    [InlineData(1, 13)]
    [InlineData(1, 39)]
    [InlineData(3, 39)]
    [InlineData(1516, 4)]
    [InlineData(2, 200)]
    public void Pareto_nbds_chance_of_a_purchase_matches_a_simulation_and_a_brute_force_integral(int id, double t)
    {
        var model = new ParetoNbd(0.55315, 10.57633, 0.60625, 11.67150);
        var c = Cdnow.Customer(id);
        var (rate, life, shape) = (model.Alpha + c.Age, model.Beta + c.Age, model.R + c.Frequency);

        var random = new Random(id);
        const int draws = 400_000;
        var bought = 0;
        for (var i = 0; i < draws; i++)
        {
            var (lambda, mu) = (RandomDraws.Gamma(random, shape) / rate, RandomDraws.Gamma(random, model.S) / life);
            if (RandomDraws.Exponential(random, lambda) < Math.Min(t, RandomDraws.Exponential(random, mu))) bought++;
        }
        var simulated = model.ProbabilityAlive(c) * bought / draws;
        // The first purchase's density, (r+x)/(α+T) (1 + u/(α+T))^−(r+x+1) (1 + u/(β+T))^−s, by Simpson's rule on 20,000 steps.
        double Density(double u) => shape / rate * Math.Pow(1 + u / rate, -(shape + 1)) * Math.Pow(1 + u / life, -model.S);
        const int steps = 20_000;
        var integral = Enumerable.Range(0, steps + 1).Sum(k => (k == 0 || k == steps ? 1 : k % 2 == 1 ? 4 : 2) * Density(k * t / steps)) * t / steps / 3 * model.ProbabilityAlive(c);

        var p = model.ProbabilityOfPurchaseWithin(c, t);
        p.Should().BeApproximately(integral, 1e-9);
        p.Should().BeApproximately(simulated, 4 * Math.Sqrt(p * (1 - p) / draws) + 1e-4);
        p.Should().BeLessThan(model.ProbabilityAlive(c));
    }

    [Fact]
    public void The_returning_customers_forecast_holds_the_parameters_uncertainty_and_CDNOWs_holdout()
    {
        var customers = Cdnow.Customers;
        const double weeks = 39;
        foreach (var fit in Fits.Value.Fitted)
        {
            var forecast = fit.ReturningCustomers(customers, weeks);
            var probabilities = customers.Select(c => fit.Model.ProbabilityOfPurchaseWithin(c, weeks)).ToList();
            var chanceOnly = 1.2815516 * Math.Sqrt(probabilities.Sum(p => p * (1 - p)));

            forecast.Expected.Should().BeApproximately(probabilities.Sum(), 1e-6);
            // 684 of CDNOW's customers bought in the 39 weeks after calibration; the models are known to fall short of that
            // holdout (FHL 2005: 1,654 expected purchase days against 1,882), and they do so for returning customers as well.
            forecast.Expected.Should().BeInRange(0.7 * 684, 684, fit.Model.Name);
            forecast.Lower.Should().BeLessThan(forecast.Expected);
            forecast.Upper.Should().BeGreaterThan(forecast.Expected);
            (forecast.Upper - forecast.Lower).Should().BeGreaterThan(2 * chanceOnly, "the parameters' uncertainty widens the interval");
            (forecast.Upper - forecast.Lower).Should().BeLessThan(6 * chanceOnly, "2,357 customers pin the parameters down: at most about twice the chance of who buys");
            fit.ReturningCustomers(customers, weeks).Should().Be(forecast, "the draws are seeded");
        }
    }

    [Fact]
    public void Without_parameter_uncertainty_the_forecast_is_the_normal_interval_of_the_count()
    {
        var fit = Fits.Value.ParetoNbd!;
        var certain = fit with { StandardErrors = fit.StandardErrors with { LogCovariance = new double[4, 4] } };
        var customers = Cdnow.Customers;
        var probabilities = customers.Select(c => fit.Model.ProbabilityOfPurchaseWithin(c, 13)).ToList();
        var (mean, sd) = (probabilities.Sum(), Math.Sqrt(probabilities.Sum(p => p * (1 - p))));

        var forecast = certain.ReturningCustomers(customers, 13);

        forecast.Lower.Should().BeApproximately(mean - 1.2815516 * sd, 1e-3);
        forecast.Upper.Should().BeApproximately(mean + 1.2815516 * sd, 1e-3);
    }

    [Fact]
    public void Fit_all_chooses_the_highest_likelihood_for_now()
    {
        var fits = Fits.Value;

        fits.Fitted.Should().HaveCount(3);
        fits.Choose()!.Model.Name.Should().Be("MBG/NBD", "−9582.13 beats BG/NBD's −9582.43 and Pareto/NBD's −9594.97");
        new[] { fits.BgNbdNote, fits.MbgNbdNote, fits.ParetoNbdNote }.Should().OnlyContain(n => n == null);
    }

    private static double[,] Invert(double[,] m)
    {
        var n = m.GetLength(0);
        var a = new double[n, 2 * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) a[i, j] = m[i, j];
            a[i, n + i] = 1;
        }
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var j = 0; j < 2 * n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            var d = a[col, col];
            for (var j = 0; j < 2 * n; j++) a[col, j] /= d;
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var f = a[r, col];
                for (var j = 0; j < 2 * n; j++) a[r, j] -= f * a[col, j];
            }
        }
        var inverse = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++)
            inverse[i, j] = a[i, n + j];
        return inverse;
    }
}
