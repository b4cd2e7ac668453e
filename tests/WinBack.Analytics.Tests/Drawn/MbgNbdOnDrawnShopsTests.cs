using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The MBG/NBD fit on shops drawn from MBG/NBD with known parameters (weeks, daily dates): it reaches the maximum an
/// independent Nelder-Mead finds from several starts, and at the large sizes it recovers the parameters drawn from.
/// </summary>
public sealed class MbgNbdOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop> Shops =>
    [
        new("CDNOW-like", 0.5, 6, 0.9, 1.6, 10_000, 84, 273, 21, Process.MbgNbd),
        new("mostly one-time buyers, α under a week", 0.3, 0.6, 1.5, 1, 60_000, 700, 730, 22, Process.MbgNbd),
        new("frequent buyers", 2, 4, 0.3, 8, 5_000, 180, 200, 23, Process.MbgNbd),
        new("small shop", 0.6, 0.5, 2, 5, 1_000, 360, 364, 24, Process.MbgNbd),
    ];

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop)
    {
        var (customers, fit, _) = HeldToNelderMead.Check(output, shop, ModifiedBetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: true));

        customers.Where(c => c.Frequency == 0).Should().OnlyContain(c => fit.Model.ProbabilityAlive(c) < 1, "a one-time buyer may be gone");
    }
}
