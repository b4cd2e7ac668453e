using Npgsql;

namespace WinBack.Web.Reports;

/// <summary>
/// The local days of a shop's qualifying orders for statements over all of them (the retention series, the threshold
/// suggestion): the shop calendar's day starts, searched in SQL (<see cref="DayOfProcessedAt"/>), so that an order's day
/// is the app's everywhere and never the database's own time-zone data.
/// </summary>
public static class OrderDays
{
    /// <summary>The first day the day starts cover: an order before it (none in a real shop) reads as the day before.</summary>
    public static readonly DateOnly FirstDay = new(1970, 1, 1);

    /// <summary>
    /// An order's local date in SQL, with <see cref="Parameters"/>: the span's first day plus the number of day starts at or
    /// before its <c>processed_at</c>, less one (PostgreSQL's <c>width_bucket</c> over the sorted starts, a binary search).
    /// </summary>
    public const string DayOfProcessedAt = "(@first_day + width_bucket(processed_at, @day_starts) - 1)";

    /// <summary>
    /// The parameters <see cref="DayOfProcessedAt"/> reads: the calendar's day starts from <see cref="FirstDay"/> through a year
    /// from today, every order a shop can hold, whatever was written while the statement runs (about 21,000 starts, a few
    /// milliseconds to compute and a 170 kB parameter, for statements that read millions of orders). An order dated later
    /// still reads as the day after the span.
    /// </summary>
    public static NpgsqlParameter[] Parameters(ShopCalendar calendar)
    {
        var days = calendar.LocalDaysBetween(FirstDay, calendar.Today.AddYears(1));
        return [new("first_day", days.First), new("day_starts", days.Starts())];
    }
}
