namespace WinBack.Web.Reports;

/// <summary>The CLV x recency matrix of PRODUCT.md. "Recently" means threshold to twice the threshold (4-8 weeks at the default).</summary>
public enum Segment
{
    HighValueRecent = 1,
    HighValueLong = 2,
    LowValueRecent = 3,
    LowValueLong = 4,
}

public sealed record SegmentInfo(Segment Segment, int Priority, string Key, string Title, string SuggestedAction);

/// <summary>The win-back windows (4-6 weeks optimal, 6-12 stronger, 12+ last chance at the default threshold of 4).</summary>
public enum WinBackWindow
{
    Optimal,
    Stronger,
    LastChance,
}

public sealed record WindowInfo(WinBackWindow Window, string Key, string Title, int MinWeeks, int? MaxWeeks, string Advice);

/// <summary>Segments and windows follow the shop's threshold when the merchant moves it, as PRODUCT.md asks.</summary>
public static class WinBackRules
{
    public static readonly IReadOnlyList<SegmentInfo> Segments =
    [
        new(Segment.HighValueRecent, 1, "high-value-recent", "High value, recently inactive", "Personal outreach, a premium offer, maybe a call."),
        new(Segment.HighValueLong, 2, "high-value-long", "High value, long inactive", "A strong discount and several touch points."),
        new(Segment.LowValueRecent, 3, "low-value-recent", "Low value, recently inactive", "An automated win-back sequence with a moderate offer."),
        new(Segment.LowValueLong, 4, "low-value-long", "Low value, long inactive", "A general reactivation campaign, low spend."),
    ];

    public static SegmentInfo Info(Segment segment) => Segments[(int)segment - 1];

    public static SegmentInfo Info(string key) => Segments.Single(s => s.Key == key);

    /// <summary>Whole weeks away from which an inactive customer is "long inactive": twice the threshold.</summary>
    public static int LongInactiveWeeks(int thresholdWeeks) => 2 * thresholdWeeks;

    public static Segment SegmentOf(bool highValue, int weeksAway, int thresholdWeeks) =>
        (highValue, weeksAway >= LongInactiveWeeks(thresholdWeeks)) switch
        {
            (true, false) => Segment.HighValueRecent,
            (true, true) => Segment.HighValueLong,
            (false, false) => Segment.LowValueRecent,
            (false, true) => Segment.LowValueLong,
        };

    public static IReadOnlyList<WindowInfo> Windows(int thresholdWeeks)
    {
        var stronger = (int)Math.Ceiling(thresholdWeeks * 1.5);
        var lastChance = 3 * thresholdWeeks;
        return
        [
            new(WinBackWindow.Optimal, "optimal", $"{thresholdWeeks}-{stronger} weeks", thresholdWeeks, stronger - 1, "The best time to win them back: a standard offer (15-20 %)."),
            new(WinBackWindow.Stronger, "stronger", $"{stronger}-{lastChance} weeks", stronger, lastChance - 1, "Needs a stronger incentive."),
            new(WinBackWindow.LastChance, "last-chance", $"{lastChance}+ weeks", lastChance, null, "Success drops under 10 %: a 25-30 % offer, for valuable customers only."),
        ];
    }
}
