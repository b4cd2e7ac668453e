using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;

namespace WinBack.Web.Reports;

public sealed record SegmentCount(string Key, int Priority, string Title, string SuggestedAction, int Customers, decimal TotalSpent);

public sealed record WeeksBucket(int Weeks, int Customers);

public sealed record RetentionPoint(DateOnly WeekStart, int Active, int Inactive);

/// <summary>The figures above the table: shop-wide, whatever the table's filter.</summary>
public sealed record InactiveSummary(
    int CustomersWithOrders,
    int CustomersWithoutOrders,
    int Inactive,
    double InactiveShare,
    int WentInactiveThisWeek,
    decimal RevenueAtStake,
    IReadOnlyList<SegmentCount> Segments,
    IReadOnlyList<WeeksBucket> WeeksSinceLastOrder,
    IReadOnlyList<RetentionPoint> RetentionHistory,
    RetentionTrend? RetentionTrend,
    DataWindow DataWindow);

/// <summary>
/// Computes the summary in one pass over the shop's customers (rollup columns only) and caches it per data version:
/// a scan of a million customers takes a few hundred milliseconds, a cache hit none.
/// </summary>
public sealed class ReportSummaries(WinBackDbContext db, ReportScopes scopes, RetentionSeries retention, DataWindows windows)
{
    /// <summary>Histogram buckets: one per week up to a year, then one "52 weeks or more" bucket.</summary>
    public const int HistogramWeeks = 52;

    private sealed record Totals(int WithOrders, int WithoutOrders, int Inactive, int WentInactiveThisWeek, decimal AtStake,
        int Segment1, int Segment2, int Segment3, int Segment4, decimal Spent1, decimal Spent2, decimal Spent3, decimal Spent4);

    public async Task<InactiveSummary> GetAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var summary = await scopes.CachedAsync(scope.CacheKey("summary"), ct => ComputeAsync(scope, ct), cancellationToken);
        // Past weeks are written by a job, not by a customer change, so they are read fresh (one row a week, by key);
        // this week is the headline's own figures, so chart and headline never disagree.
        var live = new RetentionPoint(RetentionSeries.WeekStart(scope.Calendar.Today), summary.CustomersWithOrders - summary.Inactive, summary.Inactive);
        var history = await retention.ReadAsync(scope, live, cancellationToken);
        return summary with { RetentionHistory = history, RetentionTrend = RetentionTrend.Of(history), DataWindow = await windows.GetAsync(scope, cancellationToken) };
    }

    /// <summary>Each segment's condition over the flags computed once per customer, in <see cref="WinBackRules.Segments"/>' order.</summary>
    private static readonly List<string> InSegment = WinBackRules.Segments.Select(s => WinBackRules.SegmentSql(s.Segment, "high", "long")).ToList();

    /// <summary>The headline figures and one count and sum per segment; composed once from the rules, values travel as parameters.</summary>
    private static readonly string TotalsSql = $"""
        SELECT count(*) FILTER (WHERE orders_count > 0)::int AS with_orders,
               count(*) FILTER (WHERE orders_count = 0)::int AS without_orders,
               count(*) FILTER (WHERE inactive)::int AS inactive,
               count(*) FILTER (WHERE inactive AND last_order_at >= @crossed_from)::int AS went_inactive_this_week,
               coalesce(sum(total_spent) FILTER (WHERE inactive), 0) AS at_stake,
               {string.Join(", ", InSegment.Select((segment, i) => $"count(*) FILTER (WHERE inactive AND {segment})::int AS segment{i + 1}"))},
               {string.Join(", ", InSegment.Select((segment, i) => $"coalesce(sum(total_spent) FILTER (WHERE inactive AND {segment}), 0) AS spent{i + 1}"))}
        FROM (SELECT orders_count, last_order_at, total_spent,
                     orders_count > 0 AND {WinBackRules.InactiveSinceSql("@inactive_before")} AS inactive,
                     {WinBackRules.HighValueSql("@line")} AS high,
                     {WinBackRules.InactiveSinceSql("@long_before")} AS long
              FROM customers WHERE shop_id = @shop) c
        """;

    private async Task<InactiveSummary> ComputeAsync(ReportScope scope, CancellationToken ct)
    {
        var calendar = scope.Calendar;
        var totals = await db.Database.SqlQueryRaw<Totals>(TotalsSql,
            new NpgsqlParameter("crossed_from", calendar.AtMostWeeksAgo(scope.ThresholdWeeks)), new NpgsqlParameter("inactive_before", WinBackRules.InactiveBefore(scope)),
            new NpgsqlParameter("line", scope.HighValueLine), new NpgsqlParameter("long_before", WinBackRules.LongInactiveBefore(scope)),
            new NpgsqlParameter("shop", scope.ShopId)).SingleAsync(ct);

        // Weeks away by the instants at which each whole week begins (the calendar's, as the list's filters): an order from
        // the n-th of them (oldest first) on is 52 - n weeks old; one before the first, 52 or more.
        var weekStarts = Enumerable.Range(1, HistogramWeeks).Reverse().Select(calendar.AtLeastWeeksAgo).ToArray();
        var buckets = await db.Database.SqlQueryRaw<WeeksBucket>("""
            SELECT (@weeks - width_bucket(last_order_at, @week_starts))::int AS weeks, count(*)::int AS customers
            FROM customers WHERE shop_id = @shop AND orders_count > 0
            GROUP BY 1 ORDER BY 1
            """, new NpgsqlParameter("weeks", HistogramWeeks), new NpgsqlParameter("week_starts", weekStarts), new NpgsqlParameter("shop", scope.ShopId)).ToListAsync(ct);
        // Every week from 0 to the last bucket, empty ones as zero: a chart that skipped them would put 3 and 9 weeks side by side.
        var counted = buckets.ToDictionary(b => b.Weeks, b => b.Customers);
        var histogram = buckets.Count == 0 ? [] : Enumerable.Range(0, HistogramWeeks + 1).Select(w => new WeeksBucket(w, counted.GetValueOrDefault(w))).ToList();

        int[] counts = [totals.Segment1, totals.Segment2, totals.Segment3, totals.Segment4];
        decimal[] spent = [totals.Spent1, totals.Spent2, totals.Spent3, totals.Spent4];
        var segments = WinBackRules.Segments.Select((s, i) => new SegmentCount(s.Key, s.Priority, s.Title, s.SuggestedAction, counts[i], spent[i])).ToList();
        return new InactiveSummary(totals.WithOrders, totals.WithoutOrders, totals.Inactive,
            totals.WithOrders == 0 ? 0 : Math.Round((double)totals.Inactive / totals.WithOrders, 4),
            totals.WentInactiveThisWeek, totals.AtStake, segments, histogram, [], null, DataWindow.Full);
    }
}
