using System.Globalization;
using WinBack.Analytics;
using WinBack.Web.Predictions;

namespace WinBack.Web.Reports;

/// <summary>
/// Which customers a list holds: past the threshold (the default), still active but slipping, everyone with an order, or
/// the accounts that never placed a qualifying order (for a first-purchase offer, not a win-back).
/// </summary>
public enum CustomerList
{
    Inactive,
    AtRisk,
    All,
    WithoutOrders,
}

/// <summary>
/// "Before they lapse": a customer who ordered within the shop's threshold is at risk when they are overdue by their own
/// cycle, when their chance of still being a customer fell below <see cref="AliveLine"/>, or when RFM puts them in a
/// slipping group (<see cref="SlippingGroups"/>). Each listed customer carries the reasons in words.
/// </summary>
public static class AtRiskRule
{
    /// <summary>The P(alive) line the page and the API state: below it a recent buyer is listed.</summary>
    public const double AliveLine = 0.5;

    /// <summary>The RFM groups that are still recent enough to act on before the threshold: At risk, Can't lose them, About to sleep.</summary>
    public static readonly IReadOnlyList<RfmSegment> SlippingGroups = [RfmSegment.AtRisk, RfmSegment.CantLoseThem, RfmSegment.AboutToSleep];

    /// <summary>Why a customer not yet past the threshold is at risk, one sentence per reason (empty: not at risk).</summary>
    public static IReadOnlyList<string> ReasonsOf(Predicted p, DateOnly today, double? overdueFactor)
    {
        var reasons = new List<string>(3);
        if (p.OverdueOn is { } overdueOn && overdueOn <= today && p.UsualIntervalDays is { } usual)
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"Overdue by their own cycle: away {overdueFactor ?? PredictionTerms.PersonalOverdueFactor:0.0}× their usual {usual:0} days between orders"));
        if (p.ProbabilityAlive is { } alive && alive < AliveLine)
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"Chance still a customer {alive:P0}, below {AliveLine:P0}"));
        if (p.RfmSegment is { } rfm && SlippingGroups.Contains(rfm))
            reasons.Add($"RFM group: {PredictionTerms.Info(rfm).Title}");
        return reasons;
    }
}
