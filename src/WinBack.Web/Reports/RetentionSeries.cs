using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Sync;

namespace WinBack.Web.Reports;

/// <summary>How the active and inactive counts moved over the last <see cref="Weeks"/> weeks, and whether that is the warning sign.</summary>
/// <param name="ActiveGrowth">The change as a fraction of the count then; null when there was nobody to grow from.</param>
/// <param name="Warning">The inactive list grew, and faster than the active base (PRODUCT.md's warning sign).</param>
public sealed record RetentionTrend(
    int Weeks, DateOnly Since, int ActiveThen, int ActiveNow, int InactiveThen, int InactiveNow,
    double? ActiveGrowth, double? InactiveGrowth, bool Warning, string Sentence)
{
    public const int DefaultWeeks = 8;

    /// <summary>The trend from the point <paramref name="weeks"/> weeks before the last one to the last; null when the history is shorter.</summary>
    public static RetentionTrend? Of(IReadOnlyList<RetentionPoint> history, int weeks = DefaultWeeks)
    {
        if (history.Count == 0) return null;
        var now = history[^1];
        var then = history.FirstOrDefault(p => p.WeekStart == now.WeekStart.AddDays(-7 * weeks));
        if (then is null) return null;
        var active = Growth(then.Active, now.Active);
        var inactive = Growth(then.Inactive, now.Inactive);
        var warning = inactive > 0 && active is { } a && inactive > a;
        var sentence = inactive is null || active is null
            ? $"Over {weeks} weeks inactive customers went from {then.Inactive:N0} to {now.Inactive:N0} and active customers from {then.Active:N0} to {now.Active:N0}."
            : warning
                ? $"Inactive customers grew {Percent(inactive.Value)} over {weeks} weeks while active customers {Moved(active.Value)}: more customers are lapsing than the shop keeps."
                : $"Over {weeks} weeks inactive customers {Moved(inactive.Value)} and active customers {Moved(active.Value)}.";
        return new RetentionTrend(weeks, then.WeekStart, then.Active, now.Active, then.Inactive, now.Inactive, active, inactive, warning, sentence);
    }

    private static double? Growth(int then, int now) => then == 0 ? null : Math.Round((double)(now - then) / then, 4);

    private static string Moved(double growth) => growth switch
    {
        > 0 => $"grew {Percent(growth)}",
        < 0 => $"fell {Percent(-growth)}",
        _ => "did not change",
    };

    private static string Percent(double fraction) => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(fraction * 100, 1)} %");
}

/// <summary>
/// The weekly series of active and inactive customers from the shop's first order (PRODUCT.md, retention health): each
/// completed week as of its last day, the current week live. A customer is active on a day when a qualifying order
/// falls within the threshold's days before it, so each run of orders closer than the threshold is one active span;
/// the series is the running sum of span starts and ends per week, one pass over the orders.
/// </summary>
public sealed class RetentionSeries(WinBackDbContext db, TimeProvider time)
{
    /// <summary>Monday of the week holding <paramref name="day"/>.</summary>
    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>
    /// Replaces the shop's stored weeks with the series computed from its orders. Per order only its neighbours matter
    /// (window functions over the qualifying-orders index): an order starts an active span when the customer's
    /// previous order is a threshold or more before it, and ends one a threshold after it when the next order is that
    /// far away or there is none. A customer counts from the week of the first order; inactive is counted minus active.
    /// </summary>
    public async Task RebuildAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var currentWeek = WeekStart(scope.Calendar.Today);
        var currentWeekStartsAt = scope.Calendar.StartOfDay(currentWeek);
        // Five million orders take seconds; the default 30 s command timeout is too close to the target to keep.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.RetentionSnapshots.Where(s => s.ShopId == scope.ShopId).ExecuteDeleteAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"""
            WITH days AS (
                SELECT customer_id, processed_at, {OrderDays.DayOfProcessedAt} AS day
                FROM orders
                WHERE shop_id = @shop AND {QualifyingOrders.Sql} AND processed_at < @current_week_starts_at),
            dated AS (
                SELECT day, lag(day) OVER customer AS previous_day, lead(day) OVER customer AS next_day
                FROM days
                WINDOW customer AS (PARTITION BY customer_id ORDER BY processed_at)),
            events AS (
                SELECT e.day, e.customers, e.active
                FROM dated CROSS JOIN LATERAL (VALUES
                    (dated.day, (previous_day IS NULL)::int, (previous_day IS NULL OR dated.day - previous_day >= @span)::int),
                    (dated.day + @span, 0, -(next_day IS NULL OR next_day - dated.day >= @span)::int)) e(day, customers, active)
                WHERE e.day < @current_week AND (e.customers <> 0 OR e.active <> 0)),
            weekly AS (
                SELECT day - (extract(isodow FROM day)::int - 1) AS week_start, sum(customers) AS customers, sum(active) AS active
                FROM events GROUP BY 1),
            series AS (
                SELECT w::date AS week_start,
                       sum(coalesce(k.customers, 0)) OVER (ORDER BY w) AS customers,
                       sum(coalesce(k.active, 0)) OVER (ORDER BY w) AS active
                FROM generate_series((SELECT min(week_start) FROM weekly)::timestamp, (@current_week - 7)::timestamp, interval '7 days') w
                LEFT JOIN weekly k ON k.week_start = w::date)
            INSERT INTO retention_snapshots (shop_id, week_start, active, inactive, threshold_weeks, taken_at)
            SELECT @shop, week_start, active, customers - active, @threshold, @now FROM series
            ON CONFLICT (shop_id, week_start) DO UPDATE SET active = excluded.active, inactive = excluded.inactive,
                threshold_weeks = excluded.threshold_weeks, taken_at = excluded.taken_at
            """,
            [
                new NpgsqlParameter("shop", scope.ShopId), .. OrderDays.Parameters(scope.Calendar),
                new NpgsqlParameter("span", WinBackRules.InactiveAfterDays(scope.ThresholdWeeks)), new NpgsqlParameter("threshold", scope.ThresholdWeeks),
                new NpgsqlParameter("current_week", currentWeek), new NpgsqlParameter("current_week_starts_at", currentWeekStartsAt),
                new NpgsqlParameter("now", time.GetUtcNow()),
            ], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The stored completed weeks built with the shop's threshold, then this week as of today (<paramref name="live"/>).</summary>
    public async Task<IReadOnlyList<RetentionPoint>> ReadAsync(ReportScope scope, RetentionPoint live, CancellationToken cancellationToken)
    {
        var stored = await db.RetentionSnapshots.AsNoTracking()
            .Where(s => s.ShopId == scope.ShopId && s.ThresholdWeeks == scope.ThresholdWeeks && s.WeekStart < live.WeekStart)
            .OrderBy(s => s.WeekStart)
            .Select(s => new RetentionPoint(s.WeekStart, s.Active, s.Inactive)).ToListAsync(cancellationToken);
        return live.Active + live.Inactive == 0 && stored.Count == 0 ? [] : [.. stored, live];
    }
}
