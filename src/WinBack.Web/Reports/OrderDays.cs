using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Sync;

namespace WinBack.Web.Reports;

/// <summary>
/// The local days of a shop's qualifying orders for statements over all of them (the retention series, the threshold
/// suggestion): the shop calendar's day starts from its first order on, searched in SQL (<see cref="DayOfProcessedAt"/>),
/// so that an order's day is the app's everywhere and never the database's own time-zone data.
/// </summary>
public static class OrderDays
{
    /// <summary>The day starts from the shop's first qualifying order through tomorrow; null when it has none.</summary>
    public static async Task<LocalDays?> OfShopAsync(WinBackDbContext db, long shopId, ShopCalendar calendar, CancellationToken cancellationToken)
    {
        var first = await db.Database.SqlQueryRaw<DateTimeOffset?>(
                $"""SELECT min(processed_at) AS "Value" FROM orders WHERE shop_id = @shop AND {QualifyingOrders.Sql}""", new NpgsqlParameter("shop", shopId))
            .SingleAsync(cancellationToken);
        if (first is not { } earliest) return null;
        var from = calendar.LocalDate(earliest);
        return calendar.LocalDaysBetween(from < calendar.Today ? from : calendar.Today, calendar.Today.AddDays(1));
    }

    /// <summary>
    /// An order's local date in SQL, with <see cref="Parameters"/>: the span's first day plus the number of day starts at or
    /// before its <c>processed_at</c>, less one (PostgreSQL's <c>width_bucket</c> over the sorted starts, a binary search).
    /// </summary>
    public const string DayOfProcessedAt = "(@first_day + width_bucket(processed_at, @day_starts) - 1)";

    /// <summary>The parameters <see cref="DayOfProcessedAt"/> reads.</summary>
    public static NpgsqlParameter[] Parameters(LocalDays days) => [new("first_day", days.First), new("day_starts", days.Starts())];
}
