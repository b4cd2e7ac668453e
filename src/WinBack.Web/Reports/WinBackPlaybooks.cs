namespace WinBack.Web.Reports;

/// <summary>One step of a playbook: what to send, and what it says or gives.</summary>
public sealed record PlaybookStep(string Action, string Detail);

/// <summary>
/// What to do with one list or segment: the goal (the segment's suggested action), the steps in the order to send them,
/// and the offer, sized by the win-back windows the group's customers are in.
/// </summary>
public sealed record Playbook(string Key, string Title, string Goal, IReadOnlyList<PlaybookStep> Steps, string Offer);

/// <summary>
/// The win-back playbooks of PRODUCT.md's seeds (a we-miss-you message, new products since their last visit, a loyalty
/// reminder, a feedback request, a free-shipping or discount offer sized by the window, early access), one per segment and
/// one each for the at-risk list and customers without orders. The one home of this advice: the page's segment cards and
/// lists and the digest all show these.
/// </summary>
public static class WinBackPlaybooks
{
    /// <summary>The offer each window calls for (PRODUCT.md's win-back windows).</summary>
    private static string OfferOf(WinBackWindow window) => window switch
    {
        WinBackWindow.Optimal => "15-20 %",
        WinBackWindow.Stronger => "20-25 %",
        _ => "25-30 %",
    };

    /// <summary>
    /// "15-20 % at 4-5 weeks, 20-25 % at 6-7 weeks": the offer of each window that overlaps the weeks away from
    /// <paramref name="from"/> to <paramref name="to"/> (open-ended when null), with the overlap.
    /// </summary>
    private static string OfferByWindow(IReadOnlyList<WindowInfo> windows, int from, int? to) =>
        string.Join(", ", windows
            .Where(w => (w.MaxWeeks is null || w.MaxWeeks >= from) && (to is null || w.MinWeeks <= to))
            .Select(w => (w.Window, Min: Math.Max(w.MinWeeks, from), Max: Min(w.MaxWeeks, to)))
            .Select(w => $"{OfferOf(w.Window)} at {(w.Max is { } max ? $"{w.Min}-{max} weeks" : $"{w.Min} weeks and more")}"));

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    public static Playbook ForSegment(Segment segment, int thresholdWeeks)
    {
        var info = WinBackRules.Info(segment);
        var windows = WinBackRules.Windows(thresholdWeeks);
        var longAfter = WinBackRules.LongInactiveWeeks(thresholdWeeks);
        var recentOffer = OfferByWindow(windows, thresholdWeeks, longAfter - 1);
        var longOffer = OfferByWindow(windows, longAfter, null);
        return segment switch
        {
            Segment.HighValueRecent => new(info.Key, info.Title, info.SuggestedAction,
            [
                new("A personal we-miss-you note", "From you, by name, mentioning what they bought last. No discount in this first message."),
                new("Early access or a loyalty reminder", "New products since their last visit, or the perks and points they have with you."),
                new("A premium offer", "If they have not come back a week later, the offer below, by weeks since their last order. Call your top spenders."),
            ], recentOffer),
            Segment.HighValueLong => new(info.Key, info.Title, info.SuggestedAction,
            [
                new("A feedback request", "One short question: what made them stop ordering? Their answer tells you what to offer."),
                new("A strong discount", $"The offer below, by weeks since their last order. Past {windows[^1].MinWeeks} weeks fewer than 1 in 10 come back: keep the largest offers for these valuable customers."),
                new("Several touch points", "The offer by email, then a reminder a week later, then the same offer in an ad audience or by SMS where they agreed to it."),
            ], longOffer),
            Segment.LowValueRecent => new(info.Key, info.Title, info.SuggestedAction,
            [
                new("An automated we-miss-you sequence", "Two or three emails over two weeks, set up once in your email tool from WinBack's Sheet or tag."),
                new("New products since their last visit", "Show what is new or back in stock in what they bought before."),
                new("A moderate offer", $"Free shipping, or at most the standard {OfferOf(WinBackWindow.Optimal)}, in the last email of the sequence."),
            ], $"Free shipping or up to {OfferOf(WinBackWindow.Optimal)}"),
            _ => new(info.Key, info.Title, info.SuggestedAction,
            [
                new("A general reactivation campaign", "One email to the whole group with your bestsellers and what is new."),
                new("Free shipping rather than a discount", "Few of them come back this late: keep the cost per customer low."),
                new("Clean your list", "Stop emailing those who opened none of your last two campaigns: it keeps your emails out of spam folders."),
            ], "Free shipping"),
        };
    }

    /// <summary>Customers still active but slipping: keep them, with no discount yet (most would have ordered anyway).</summary>
    public static Playbook AtRisk(int thresholdWeeks) => new("at-risk", "At risk (not yet inactive)",
        $"Reach them before they cross {thresholdWeeks} weeks, while a reminder is enough.",
        [
            new("A loyalty reminder", "Their points, perks or VIP status, and what they would lose."),
            new("Early access", "A preview of a launch or a sale before everyone else."),
            new("A feedback request", "For those whose chance of still being a customer is falling: ask how you could do better."),
        ], "None yet: keep discounts for those who cross the threshold");

    /// <summary>Accounts that never bought: a first purchase to win, not a customer to win back.</summary>
    public static readonly Playbook WithoutOrders = new("without-orders", "Customers without orders",
        "Turn the account into a first order.",
        [
            new("A welcome series", "Two or three emails: who you are, your bestsellers, reviews from other customers."),
            new("A first-order incentive", "Free shipping or 10 % off the first order, to subscribed customers only."),
        ], "Free shipping or 10 % on the first order");

    /// <summary>Every playbook of a shop with this threshold: the four segments in priority order, then at risk and without orders.</summary>
    public static IReadOnlyList<Playbook> All(int thresholdWeeks) =>
        [.. WinBackRules.Segments.Select(s => ForSegment(s.Segment, thresholdWeeks)), AtRisk(thresholdWeeks), WithoutOrders];
}
