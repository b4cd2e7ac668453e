using System.Collections.Concurrent;
using WinBack.Analytics;

namespace WinBack.Web.Predictions;

/// <summary>One customer's scores, as <see cref="CustomerPrediction"/> stores them.</summary>
public readonly record struct CustomerScores(long CustomerId, DateTimeOffset LastOrderAt, double? ProbabilityAlive, double? UsualIntervalDays, DateOnly? OverdueOn,
    DateOnly? ExpectedNextOrderOn, decimal? PredictedValue, short RfmScore, RfmSegment RfmSegment);

/// <summary>
/// The one home of how a customer is scored from a shop's fitted models: P(alive), the expected next order, the
/// discounted 12-month value and RFM. The weekly refit scores everyone with the models it just fitted; a webhook that
/// changes a customer's orders rescores that customer with the stored fit (<see cref="From"/>), so both give the same
/// numbers for the same history.
/// </summary>
public sealed class CustomerScorer(IPurchaseModel? purchases, OrderValueEstimate? spend, RfmCutPoints? rfm)
{
    /// <summary>An expected gap longer than this is no date a merchant can use; the date is left empty.</summary>
    private const double LongestExpectedGapDays = 3 * 365;

    /// <summary>
    /// The discounted purchases of a customer alive now, by (x, T): the 12-month value's costly part (a ₂F₁ series a month
    /// under the beta-geometric models), the same for every customer alike in those; a large shop has a few tens of
    /// thousands of such pairs among a million customers.
    /// </summary>
    private readonly ConcurrentDictionary<(int Frequency, double Age), double> _discountedPurchasesIfAlive = new();

    /// <summary>Whether a customer can be scored alone: the fit kept where its RFM quintiles fell.</summary>
    public bool CanScoreAlone => rfm is not null;

    /// <summary>The scorer of a stored fit; null when the shop has never been fitted.</summary>
    public static CustomerScorer From(CustomerModelFit fit) =>
        new(PurchaseModelOf(fit), fit is { SpendShopAverage: { } average, SpendShopAverageOrders: { } orders } ? new OrderValueEstimate(average, orders) : null,
            fit is { RfmRecencyCuts: { } r, RfmFrequencyCuts: { } f, RfmMonetaryCuts: { } m } ? new RfmCutPoints(r, f, m) : null);

    private static IPurchaseModel? PurchaseModelOf(CustomerModelFit fit) => PurchaseModelChoice.Create(fit.PurchaseModel, fit.PurchaseParameters);

    /// <summary>The customer's scores; RFM from the refit's ranking, or against its cut points when none is given.</summary>
    public CustomerScores Score(CustomerHistory h, DateOnly refitDate, RfmScore? ranked = null)
    {
        var probabilityAlive = purchases?.ProbabilityAlive(h.Buyer);
        // BG/NBD says 1 for every one-time buyer by construction: no score is better than a false certainty.
        var alive = purchases is not BetaGeometricNbd || h.Buyer.Frequency > 0 ? probabilityAlive : null;
        DateOnly? next = null;
        if (purchases is not null && h.Buyer.Frequency > 0
            && CustomerHistories.DaysPerWeek / PurchaseModelChoice.RateIfActive(purchases, h.Buyer) is var gap and <= LongestExpectedGapDays)
            next = h.LastOrderOn.AddDays((int)Math.Round(gap));
        decimal? value = null;
        if (purchases is not null && spend is not null)
        {
            // As PurchaseModelExtensions.DiscountedValue, its costly part once per (x, T).
            var purchasesIfAlive = _discountedPurchasesIfAlive.GetOrAdd((h.Buyer.Frequency, h.Buyer.Age), static (_, state) => state.Model.DiscountedPurchasesIfAlive(state.Buyer),
                (Model: purchases, h.Buyer));
            var predicted = spend.ExpectedAverageValue(h.Buyer) * probabilityAlive!.Value * purchasesIfAlive;
            if (double.IsFinite(predicted) && predicted < 1e12) value = decimal.Round((decimal)predicted, 2);
        }
        var r = ranked ?? (rfm ?? throw new InvalidOperationException("A customer is scored alone only against a refit's RFM cut points."))
            .Score(h.RfmOn(refitDate));
        return new CustomerScores(h.CustomerId, h.LastOrderAt, alive, h.UsualIntervalDays, OverdueOn(h), next, value,
            (short)(r.Recency * 100 + r.Frequency * 10 + r.Monetary), r.Segment);
    }

    /// <summary>The first day the customer is away <see cref="PredictionTerms.PersonalOverdueFactor"/> usual intervals (and at least
    /// <see cref="PredictionTerms.PersonalMinimumDays"/>): whole days away ≥ the line from that day on.</summary>
    private static DateOnly? OverdueOn(CustomerHistory h) => h.UsualIntervalDays is { } usual
        ? h.LastOrderOn.AddDays((int)Math.Ceiling(Math.Max(PredictionTerms.PersonalOverdueFactor * usual, PredictionTerms.PersonalMinimumDays)))
        : null;
}
