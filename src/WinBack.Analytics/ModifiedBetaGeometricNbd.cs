namespace WinBack.Analytics;

/// <summary>
/// The MBG/NBD model (Batislam, Denizel &amp; Filiztekin 2007; lifetimes' ModifiedBetaGeoFitter): BG/NBD in which the
/// first purchase is a drop-out opportunity too, so a customer who never came back has a real chance of being gone
/// (P(alive) below 1) instead of being alive by construction.
/// </summary>
public sealed record ModifiedBetaGeometricNbd(double R, double Alpha, double A, double B) : BetaGeometricModel(R, Alpha, A, B)
{
    public override string Name => "MBG/NBD";

    internal override bool FirstPurchaseMayEnd => true;

    /// <summary>Fits r, α, a, b by maximum likelihood, exactly as <see cref="BetaGeometricNbd.Fit"/> does.</summary>
    public static PurchaseModelFit<ModifiedBetaGeometricNbd> Fit(IReadOnlyList<RepeatBuyer> customers) => Fit(customers, near: null);

    /// <summary>The fit from <paramref name="near"/>, where a fit on much the same customers ended (see <see cref="LogParameterFit"/>).</summary>
    public static PurchaseModelFit<ModifiedBetaGeometricNbd> Fit(IReadOnlyList<RepeatBuyer> customers, FitStart? near) =>
        Fit(customers, (r, alpha, a, b) => new ModifiedBetaGeometricNbd(r, alpha, a, b), near);
}
