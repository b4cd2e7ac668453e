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

    /// <summary>Days after the last order's local date from which a customer is inactive: the threshold in whole weeks.</summary>
    public static int InactiveAfterDays(int thresholdWeeks) => 7 * thresholdWeeks;

    /// <summary>A customer whose last order is before this instant is inactive: the shop's threshold of whole weeks away, in its calendar.</summary>
    public static DateTimeOffset InactiveBefore(ReportScope scope) => scope.Calendar.AtLeastWeeksAgo(scope.ThresholdWeeks);

    /// <summary><see cref="InactiveBefore"/> as a local date, for columns that hold the last order's local date.</summary>
    public static DateOnly InactiveBeforeDate(ReportScope scope) => scope.Calendar.AtLeastWeeksAgoDate(scope.ThresholdWeeks);

    /// <summary>An inactive customer whose last order is before this instant is long inactive.</summary>
    public static DateTimeOffset LongInactiveBefore(ReportScope scope) => scope.Calendar.AtLeastWeeksAgo(LongInactiveWeeks(scope.ThresholdWeeks));

    /// <summary>High value: total spent at or above the shop's line (a percentile of its buyers, or an amount).</summary>
    public static bool IsHighValue(decimal totalSpent, decimal line) => totalSpent >= line;

    /// <summary><see cref="IsHighValue"/> as SQL on a customer's rollups; <paramref name="line"/> is the placeholder of the line.</summary>
    public static string HighValueSql(string line) => $"total_spent >= {line}";

    /// <summary>
    /// Away since before the cutoff (<see cref="InactiveBefore"/> or <see cref="LongInactiveBefore"/>), as SQL on a customer's
    /// last order: their rollup, or another column holding it (the scores' copy).
    /// </summary>
    public static string InactiveSinceSql(string before, string lastOrderAt = "last_order_at") => $"{lastOrderAt} < {before}";

    /// <summary>
    /// The segment of an inactive customer as a SQL condition, given SQL for "high value" and "long inactive" (the
    /// conditions themselves, or columns already holding them): the matrix <see cref="SegmentOf"/> is in C#.
    /// </summary>
    public static string SegmentSql(Segment segment, string highValue, string longInactive) => segment switch
    {
        Segment.HighValueRecent => $"(({highValue}) AND NOT ({longInactive}))",
        Segment.HighValueLong => $"(({highValue}) AND ({longInactive}))",
        Segment.LowValueRecent => $"(NOT ({highValue}) AND NOT ({longInactive}))",
        _ => $"(NOT ({highValue}) AND ({longInactive}))",
    };

    /// <summary>The segment's priority (1 first) as a SQL expression, for sorting a list by segment.</summary>
    public static string PrioritySql(string highValue, string longInactive) =>
        $"(CASE {string.Join(" ", Segments.Select(s => $"WHEN {SegmentSql(s.Segment, highValue, longInactive)} THEN {s.Priority}"))} END)";

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
