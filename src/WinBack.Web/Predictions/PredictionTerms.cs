using WinBack.Analytics;

namespace WinBack.Web.Predictions;

/// <summary>How likely a customer is to have stopped buying, in three bands of P(alive) (our bands, stated in the app).</summary>
public enum ChurnRisk
{
    High,
    Medium,
    Low,
}

/// <summary>A band of P(alive): from <see cref="MinAlive"/> (inclusive) to <see cref="MaxAlive"/> (exclusive; null = up to 1).</summary>
public sealed record ChurnRiskInfo(ChurnRisk Risk, string Key, string Title, double MinAlive, double? MaxAlive);

public sealed record RfmSegmentInfo(RfmSegment Segment, string Key, string Title, string Description);

/// <summary>The words and keys the report, its filters and its exports use for the predictions.</summary>
public static class PredictionTerms
{
    /// <summary>In personal-cycle mode a customer is inactive once away this many of their usual intervals...</summary>
    public const double PersonalOverdueFactor = 2;
    /// <summary>...and at least this many days, so a daily buyer's long weekend is not a lost customer.</summary>
    public const int PersonalMinimumDays = 14;

    public static readonly IReadOnlyList<ChurnRiskInfo> Risks =
    [
        new(ChurnRisk.High, "high", "High churn risk", 0, 1 / 3.0),
        new(ChurnRisk.Medium, "medium", "Medium churn risk", 1 / 3.0, 2 / 3.0),
        new(ChurnRisk.Low, "low", "Low churn risk", 2 / 3.0, null),
    ];

    public static ChurnRiskInfo RiskOf(double probabilityAlive) => Risks.First(r => r.MaxAlive is not { } max || probabilityAlive < max);

    public static ChurnRiskInfo Info(ChurnRisk risk) => Risks[(int)risk];

    public static readonly IReadOnlyList<RfmSegmentInfo> RfmSegments =
    [
        new(RfmSegment.Champions, "champions", "Champions", "Bought recently, buy often and spend the most."),
        new(RfmSegment.Loyal, "loyal", "Loyal", "Buy regularly and spend well."),
        new(RfmSegment.PotentialLoyalist, "potential-loyalist", "Potential loyalist", "Recent customers with a few orders."),
        new(RfmSegment.New, "new", "New", "Bought recently for the first time or two."),
        new(RfmSegment.Promising, "promising", "Promising", "Fairly recent, not yet frequent."),
        new(RfmSegment.NeedAttention, "need-attention", "Need attention", "Average on all three, drifting."),
        new(RfmSegment.AboutToSleep, "about-to-sleep", "About to sleep", "Below average recency and frequency."),
        new(RfmSegment.AtRisk, "at-risk", "At risk", "Spent well and often, but long ago."),
        new(RfmSegment.CantLoseThem, "cant-lose-them", "Can't lose them", "Your best customers by orders and spend, gone quiet."),
        new(RfmSegment.Hibernating, "hibernating", "Hibernating", "Long ago, few orders, low spend."),
        new(RfmSegment.Lost, "lost", "Lost", "The lowest scores on all three."),
    ];

    public static RfmSegmentInfo Info(RfmSegment segment) => RfmSegments.Single(s => s.Segment == segment);
}
