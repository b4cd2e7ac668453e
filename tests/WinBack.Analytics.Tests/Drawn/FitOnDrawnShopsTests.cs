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
    public void The_fit_reaches_the_maximum_and_recovers_the_parameters(DrawnShop shop) =>
        HeldToNelderMead.Check(output, shop, BetaGeometricNbd.Fit, c => ReferenceLikelihoods.BetaGeometric(c, modified: false),
            shop.Customers >= 50_000 ? HeldToNelderMead.LargeShopStarts(shop) : null);
}
