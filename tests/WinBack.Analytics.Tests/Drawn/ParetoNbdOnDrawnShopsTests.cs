using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The Pareto/NBD fit on shops drawn from Pareto/NBD with known parameters (weeks, daily dates): it reaches the maximum
/// an independent Nelder-Mead over note 009's likelihood finds from several starts, and at the large sizes it recovers
/// the parameters drawn from.
/// </summary>
public sealed class ParetoNbdOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop> Shops =>
    [
        new("CDNOW-like", 0.55, 10.6, 0.6, 11.7, 10_000, 84, 273, 31, Process.ParetoNbd),
        new("mostly one-time buyers, α under a week", 0.3, 0.7, 0.8, 4, 50_000, 360, 400, 32, Process.ParetoNbd),
        new("long-lived regulars", 1.5, 8, 0.4, 60, 5_000, 300, 364, 33, Process.ParetoNbd),
        new("small shop", 0.8, 1.5, 1.2, 20, 1_000, 360, 364, 34, Process.ParetoNbd),
    ];

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop)
    {
        // From the parameters drawn from and from all ones (CLVTools' start): the reference is slow, and more starts found nothing more.
        double[][] starts = [[Math.Log(shop.R), Math.Log(shop.Alpha), Math.Log(shop.A), Math.Log(shop.B)], HeldToNelderMead.Starts[0]];
        var (customers, fit, _) = HeldToNelderMead.Check(output, shop, ParetoNbd.Fit, ReferenceLikelihoods.Pareto, starts, recovery: [0.1, 0.1, 0.15, 0.2]);

        customers.Should().OnlyContain(c => fit.Model.ProbabilityOfPurchaseWithin(c, 13) <= fit.Model.ProbabilityAlive(c), "only a customer still alive buys");
    }
}
