namespace WinBack.Analytics;

/// <summary>A customer's own rhythm: the median gap between their orders, and how overdue they are against it.</summary>
public static class PurchaseCycle
{
    /// <summary>The median number of days between consecutive orders, or null with fewer than two orders.</summary>
    public static double? UsualIntervalDays(IEnumerable<DateOnly> orderDates)
    {
        var dates = orderDates.Order().ToList();
        if (dates.Count < 2) return null;
        var gaps = dates.Zip(dates.Skip(1), (a, b) => (double)(b.DayNumber - a.DayNumber)).Order().ToList();
        return gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[gaps.Count / 2 - 1] + gaps[gaps.Count / 2]) / 2;
    }

    /// <summary>Time since the last order divided by the usual interval: 1 = due now, 2 = twice as long as usual. Null when unknown.</summary>
    public static double? Overdue(int daysSinceLastOrder, double? usualIntervalDays) =>
        usualIntervalDays is > 0 and var interval ? daysSinceLastOrder / interval : null;
}
