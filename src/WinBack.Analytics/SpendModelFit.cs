namespace WinBack.Analytics;

/// <summary>
/// What a customer is expected to spend per order, as the spend model and each of its limits give it: the mean of the
/// customer's x repeat orders and of <see cref="ShopAverageOrders"/> more orders at <see cref="ShopAverage"/>, the shop's
/// average order. The Gamma-Gamma model counts the shop's average as (q − 1)/p orders; where customers always spend their
/// own average it counts for none (0), where they do not differ it is all there is (∞).
/// </summary>
public sealed record OrderValueEstimate(double ShopAverage, double ShopAverageOrders)
{
    public double ExpectedAverageValue(RepeatBuyer c) =>
        c.Frequency == 0 || double.IsPositiveInfinity(ShopAverageOrders)
            ? ShopAverage
            : (ShopAverageOrders * ShopAverage + c.Frequency * c.AverageRepeatValue) / (ShopAverageOrders + c.Frequency);
}

/// <summary>
/// The spend model as fitted to a shop (<see cref="GammaGamma.Fit"/>): the Gamma-Gamma model at its maximum, or, where the
/// likelihood is highest as some parameters run off to infinity, that limit (<see cref="Limit"/>, by name and in the
/// merchant's words) with the parameters it still estimates; the others are null. <see cref="LogLikelihood"/> is null for
/// constant spend, where the likelihood has no bound.
/// </summary>
public sealed record SpendModelFit(double? P, double? Q, double? Gamma, OrderValueEstimate Estimate, double? LogLikelihood, LimitingModel? Limit)
{
    /// <summary>The fitted model, when the fit is inside the parameters rather than at a limit.</summary>
    public GammaGamma? Model => (Limit, P, Q, Gamma) is (null, { } p, { } q, { } gamma) ? new GammaGamma(p, q, gamma) : null;
}
