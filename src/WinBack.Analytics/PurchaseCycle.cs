namespace WinBack.Analytics;

/// <summary>A customer's own rhythm: the median gap between their orders, and how overdue they are against it.</summary>
public static class PurchaseCycle
{
    /// <summary>The median number of days between consecutive orders, or null with fewer than two orders.</summary>
    public static double? UsualIntervalDays(IEnumerable<DateOnly> orderDates)
    {
        // Arrays, not a chain of LINQ: a refit asks this of every one of a million customers.
        DateOnly[] dates = [.. orderDates];
        if (dates.Length < 2) return null;
        Array.Sort(dates);
        var gaps = new int[dates.Length - 1];
        for (var i = 0; i < gaps.Length; i++) gaps[i] = dates[i + 1].DayNumber - dates[i].DayNumber;
        Array.Sort(gaps);
        var middle = gaps.Length / 2;
        return gaps.Length % 2 == 1 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2.0;
    }

    /// <summary>Time since the last order divided by the usual interval: 1 = due now, 2 = twice as long as usual. Null when unknown.</summary>
    public static double? Overdue(int daysSinceLastOrder, double? usualIntervalDays) =>
        usualIntervalDays is > 0 and var interval ? daysSinceLastOrder / interval : null;
}
