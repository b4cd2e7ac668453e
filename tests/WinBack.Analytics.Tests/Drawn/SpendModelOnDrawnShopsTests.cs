using Xunit.Abstractions;
using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A shop's repeat customers drawn from the Gamma-Gamma model of spend or from one of its limits: each customer's order
/// rate ν is gamma(q, γ) and their orders gamma(p, ν); with <see cref="P"/> infinite every order is the customer's own
/// mean, inverse gamma(q, <see cref="Scale"/>); with <see cref="Q"/> infinite every customer's orders are gamma(p) with
/// mean p·<see cref="Scale"/>. Repeat orders per customer are 1 plus a geometric count with mean <see cref="MoreOrders"/>.
/// </summary>
public sealed record DrawnSpend(string Name, double P, double Q, double Scale, int Customers, double MoreOrders, int Seed)
{
    public List<RepeatBuyer> Draw()
    {
        var random = new Random(Seed);
        var customers = new List<RepeatBuyer>(Customers);
        for (var i = 0; i < Customers; i++)
        {
            var orders = 1 + (int)Math.Min(500, Math.Floor(RandomDraws.Exponential(random, Math.Log(1 + 1 / MoreOrders))));
            var rate = double.IsPositiveInfinity(Q) ? 1 / Scale : RandomDraws.Gamma(random, Q) / Scale;
            var sum = 0.0;
            for (var k = 0; k < orders; k++)
                sum += double.IsPositiveInfinity(P) ? 1 / rate : RandomDraws.Gamma(random, P) / rate;
            // A customer's mean to the cent, as orders are.
            customers.Add(new RepeatBuyer(orders, 1, 2, Math.Max(0.01, Math.Round(sum / orders, 2))));
        }
        return customers;
    }

    /// <summary>What a customer is expected to spend per order under the model drawn from.</summary>
    public OrderValueEstimate Truth =>
        double.IsPositiveInfinity(P) ? new OrderValueEstimate(Scale / (Q - 1), 0)
        : double.IsPositiveInfinity(Q) ? new OrderValueEstimate(P * Scale, double.PositiveInfinity)
        : new GammaGamma(P, Q, Scale).Estimate;

    public override string ToString() => Name;
}

/// <summary>
/// The spend model's fit on shops drawn inside the Gamma-Gamma model and at and near both its limits: it reaches the
/// maximum an independent Nelder-Mead finds from several starts (on the paper's likelihood, written here), names a limit
/// only where the likelihood is higher there than anywhere inside, and at the large sizes gives customers the expected
/// order the model drawn from gives them (10,000 customers and more).
/// </summary>
public sealed class SpendModelOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnSpend> Shops =>
    [
        new("CDNOW-like", 6.25, 3.74, 15.45, 2_000, 1.5, 1),
        new("luxury, few repeat orders", 2, 8, 2_000, 1_000, 0.5, 2),
        new("grocery baskets", 15, 20, 30, 20_000, 6, 3),
        new("varied spenders", 1.2, 2.5, 40, 50_000, 2, 4),
        new("near the same order every time", 1e4, 4, 0.015, 5_000, 2, 5),
        new("the same order every time", double.PositiveInfinity, 4, 150, 5_000, 2, 6),
        new("customers alike", 3, double.PositiveInfinity, 20, 5_000, 2, 7),
        new("customers nearly alike", 3, 1e4, 20 * 1e4, 10_000, 2, 8),
    ];

    /// <summary>Where Nelder-Mead may search, in the logs of p, q and γ (in units of the customers' mean): far enough out that a limit's likelihood is within its tolerance.</summary>
    private const double Reach = 17;

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_fit_reaches_the_maximum_or_names_the_limit_and_gives_the_expected_orders(DrawnSpend shop)
    {
        var customers = shop.Draw();
        var fit = GammaGamma.Fit(customers);
        var unit = customers.Average(c => c.AverageRepeatValue);
        // Customers alike in (x, m̄) are one term, counted: orders are to the cent, and many one-order customers share a mean.
        var groups = customers.GroupBy(c => (c.Frequency, c.AverageRepeatValue)).Select(g => (X: (double)g.Key.Frequency, M: g.Key.AverageRepeatValue, Count: g.Count())).ToList();
        double Reference(double[] logs) => logs.All(l => Math.Abs(l) <= Reach) ? LogLikelihood(groups, Math.Exp(logs[0]), Math.Exp(logs[1]), unit * Math.Exp(logs[2])) : double.NaN;
        var (point, best) = NelderMead.Maximise(Reference, [[0, 0, 0], [Math.Log(5), Math.Log(3), 0], [Math.Log(50), Math.Log(50), 0]], restarts: 3, iterations: 1000);
        output.WriteLine($"{shop.Name}: fitted p {fit.P:G5}, q {fit.Q:G5}, γ {fit.Gamma:G5}, LL {fit.LogLikelihood:F4}{(fit.Limit is null ? "" : $" (limit: {fit.Limit.Name})")}; " +
                         $"Nelder-Mead p {Math.Exp(point[0]):G5}, q {Math.Exp(point[1]):G5}, γ {unit * Math.Exp(point[2]):G5}, LL {best:F4}");

        fit.LogLikelihood!.Value.Should().BeGreaterThanOrEqualTo(best - 1e-6 * Math.Abs(best), "the fit must reach the maximum an independent maximiser finds");
        if (fit.Limit is null)
        {
            // Inside the parameters the fit is where Nelder-Mead ends, so each customer's expected order is the one there.
            var atBest = new GammaGamma(Math.Exp(point[0]), Math.Exp(point[1]), unit * Math.Exp(point[2])).Estimate;
            foreach (var c in customers.Take(200))
                fit.Estimate.ExpectedAverageValue(c).Should().BeApproximately(atBest.ExpectedAverageValue(c), 1e-3 * atBest.ExpectedAverageValue(c));
        }
        else
        {
            fit.Model.Should().BeNull("a limit's runaway parameters are not a model to show");
            best.Should().BeLessThanOrEqualTo(fit.LogLikelihood!.Value + 1e-6 * Math.Abs(best), "a limit is named only where the likelihood is no higher anywhere inside");
        }
        if (shop.Customers < 10_000) return;
        // The customers' expected orders as the model drawn from gives them: a new customer's, and repeat customers' at their own averages.
        var truth = shop.Truth;
        fit.Estimate.ShopAverage.Should().BeApproximately(truth.ShopAverage, 0.03 * truth.ShopAverage, "a customer with no repeat order is expected to spend the shop's average");
        foreach (var c in customers.Take(500))
            fit.Estimate.ExpectedAverageValue(c).Should().BeApproximately(truth.ExpectedAverageValue(c), 0.05 * truth.ExpectedAverageValue(c));
    }

    /// <summary>
    /// The Gamma-Gamma likelihood of the customers' mean repeat orders, as Fader &amp; Hardie's note on the model (2013)
    /// gives the density of the mean of x orders: Γ(px+q)/(Γ(px)Γ(q)) · γ^q · m̄^(px−1) · x^(px) / (γ + m̄x)^(px+q).
    /// </summary>
    private static double LogLikelihood(List<(double X, double M, int Count)> customers, double p, double q, double gamma)
    {
        var ll = 0.0;
        foreach (var (x, m, count) in customers)
            ll += count * (LogGammaRatio(p * x, q) - LogGamma(q) + q * Math.Log(gamma) + (p * x - 1) * Math.Log(m) + p * x * Math.Log(x) - (p * x + q) * Math.Log(gamma + m * x));
        return ll;
    }
}
