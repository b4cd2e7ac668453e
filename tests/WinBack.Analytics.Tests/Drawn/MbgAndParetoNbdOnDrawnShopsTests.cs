using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The MBG/NBD and Pareto/NBD fits on shops drawn from their own processes with known parameters (weeks, daily dates):
/// each reaches the maximum an independent Nelder-Mead over the reference's likelihood finds (note 009's plain series for
/// Pareto/NBD), and at the large sizes recovers the parameters drawn from.
/// </summary>
public sealed class MbgAndParetoNbdOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop> Shops =>
    [
        new("MBG/NBD, CDNOW-like", 0.5, 6, 0.9, 1.6, 10_000, 84, 273, 21, Process.MbgNbd),
        new("MBG/NBD, mostly one-time buyers, α under a week", 0.3, 0.6, 1.5, 1, 60_000, 700, 730, 22, Process.MbgNbd),
        new("MBG/NBD, frequent buyers", 2, 4, 0.3, 8, 5_000, 180, 200, 23, Process.MbgNbd),
        new("MBG/NBD, small shop", 0.6, 0.5, 2, 5, 1_000, 360, 364, 24, Process.MbgNbd),
        new("Pareto/NBD, CDNOW-like", 0.55, 10.6, 0.6, 11.7, 10_000, 84, 273, 31, Process.ParetoNbd),
        new("Pareto/NBD, mostly one-time buyers, α under a week", 0.3, 0.7, 0.8, 4, 50_000, 360, 400, 32, Process.ParetoNbd),
        new("Pareto/NBD, long-lived regulars", 1.5, 8, 0.4, 60, 5_000, 300, 364, 33, Process.ParetoNbd),
        new("Pareto/NBD, small shop", 0.8, 1.5, 1.2, 20, 1_000, 360, 364, 34, Process.ParetoNbd),
    ];

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop)
    {
        if (shop.Process == Process.MbgNbd)
        {
            var (customers, fit, _) = HeldToNelderMead.Check(output, shop, ModifiedBetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: true),
                shop.Customers >= 50_000 ? HeldToNelderMead.LargeShopStarts(shop) : null);
            customers.Where(c => c.Frequency == 0).Should().OnlyContain(c => fit.Model.ProbabilityAlive(c) < 1, "a one-time buyer may be gone");
        }
        else
        {
            // Note 009's plain series makes the reference slow: from the parameters drawn from and from all ones (CLVTools' start) only.
            var (customers, fit, _) = HeldToNelderMead.Check(output, shop, ParetoNbd.Fit, ReferenceLikelihoods.Pareto, HeldToNelderMead.LargeShopStarts(shop), recovery: [0.1, 0.1, 0.15, 0.2]);
            customers.Should().OnlyContain(c => fit.Model.ProbabilityOfPurchaseWithin(c, 13) <= fit.Model.ProbabilityAlive(c), "only a customer still alive buys");
        }
    }
}
