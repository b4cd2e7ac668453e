using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Outcomes;

public enum ListingChannel
{
    Digest,
    Sheet,
}

/// <summary>
/// Of the customers listed N days ago or more, how many placed a qualifying order within N days of being listed, and
/// what those orders came to. <see cref="Listed"/> counts only listings old enough for the window, so a rate is never
/// diluted by customers who have not had the time yet.
/// </summary>
public sealed record OutcomeWindow(int Days, int Listed, int CameBack, decimal Revenue)
{
    public double? Rate => Listed == 0 ? null : Math.Round((double)CameBack / Listed, 4);
}

/// <summary>Outcomes of one segment (or of all, <see cref="Segment"/> null): came back so far, and within 30 / 60 / 90 days.</summary>
public sealed record OutcomeRow(string? Segment, int Listed, int CameBackSoFar, decimal RevenueSoFar, IReadOnlyList<OutcomeWindow> Windows);

public sealed record OutcomeReport(int LookbackDays, OutcomeRow All, IReadOnlyList<OutcomeRow> Segments);

/// <summary>
/// Win-back outcomes (PRODUCT.md, beyond the peers): who WinBack listed in a digest or on a Sheet, and who came back.
/// <see cref="RecordAsync"/> is called by the digest and sheet jobs with what they sent; <see cref="ReportAsync"/> answers
/// from the listings and the orders index, counting a listing's spell once however many times it was listed.
/// </summary>
public sealed class WinBackOutcomes(WinBackDbContext db, TimeProvider time)
{
    public static readonly int[] WindowDays = [30, 60, 90];
    public const int LookbackDays = 365;

    public Task RecordAsync(long shopId, IEnumerable<ReportCustomer> customers, ListingChannel channel, CancellationToken cancellationToken) =>
        RecordAsync(shopId, customers.Where(c => c.LastOrderDate is not null).Select(c => new Listed(c.Id, c.LastOrderDate!.Value, c.Segment)), channel, cancellationToken);

    /// <summary>A customer as listed: their id, the last order date their inactive spell started from, their segment key.</summary>
    public readonly record struct Listed(long CustomerId, DateOnly LastOrderOn, string? Segment);

    public async Task RecordAsync(long shopId, IEnumerable<Listed> customers, ListingChannel channel, CancellationToken cancellationToken)
    {
        var listed = customers.DistinctBy(c => c.CustomerId).ToList();
        if (listed.Count == 0) return;
        var ids = listed.Select(c => c.CustomerId).ToArray();
        var lastOrders = listed.Select(c => c.LastOrderOn).ToArray();
        var segments = listed.Select(c => c.Segment ?? "none").ToArray();
        var (digest, sheet) = (channel == ListingChannel.Digest, channel == ListingChannel.Sheet);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO winback_listings (shop_id, customer_id, last_order_on, first_listed_at, segment, in_digest, in_sheet)
            SELECT {shopId}, l.customer_id, l.last_order_on, {time.GetUtcNow()}, l.segment, {digest}, {sheet}
            FROM unnest({ids}, {lastOrders}, {segments}) AS l(customer_id, last_order_on, segment)
            ON CONFLICT (shop_id, customer_id, last_order_on) DO UPDATE
                SET in_digest = winback_listings.in_digest OR excluded.in_digest, in_sheet = winback_listings.in_sheet OR excluded.in_sheet
            """, cancellationToken);
    }

    private sealed record Cell(string Segment, int Days, int Listed, int CameBack, decimal Revenue);

    /// <summary>Listings of the last year, by segment and window; window 0 is "so far".</summary>
    public async Task<OutcomeReport> ReportAsync(long shopId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windows = WindowDays.Prepend(0).ToArray();
        var cells = await db.Database.SqlQueryRaw<Cell>($"""
            SELECT l.segment, w.days, count(*)::int AS listed, count(back.revenue)::int AS came_back, coalesce(sum(back.revenue), 0) AS revenue
            FROM winback_listings l
            CROSS JOIN unnest(@windows) AS w(days)
            LEFT JOIN LATERAL (
                SELECT sum(o.current_total) AS revenue
                FROM orders o
                WHERE o.shop_id = l.shop_id AND o.customer_id = l.customer_id AND {QualifyingOrders.Sql}
                  AND o.processed_at > l.first_listed_at AND (w.days = 0 OR o.processed_at <= l.first_listed_at + make_interval(days => w.days))
                HAVING count(*) > 0) back ON true
            WHERE l.shop_id = @shop AND l.first_listed_at > @since
              AND (w.days = 0 OR l.first_listed_at <= @now - make_interval(days => w.days))
            GROUP BY l.segment, w.days
            """, new NpgsqlParameter("windows", windows), new NpgsqlParameter("shop", shopId), new NpgsqlParameter("since", now.AddDays(-LookbackDays)),
            new NpgsqlParameter("now", now)).ToListAsync(cancellationToken);

        OutcomeRow RowOf(string? segment, IEnumerable<Cell> of)
        {
            var byDays = of.GroupBy(c => c.Days).ToDictionary(g => g.Key, g => (Listed: g.Sum(c => c.Listed), CameBack: g.Sum(c => c.CameBack), Revenue: g.Sum(c => c.Revenue)));
            var soFar = byDays.GetValueOrDefault(0);
            return new OutcomeRow(segment, soFar.Listed, soFar.CameBack, soFar.Revenue,
                WindowDays.Select(d =>
                {
                    var window = byDays.GetValueOrDefault(d);
                    return new OutcomeWindow(d, window.Listed, window.CameBack, window.Revenue);
                }).ToList());
        }

        var segments = WinBackRules.Segments.Select(s => s.Key).Where(key => cells.Any(c => c.Segment == key)).Select(key => RowOf(key, cells.Where(c => c.Segment == key)));
        return new OutcomeReport(LookbackDays, RowOf(null, cells), segments.ToList());
    }
}
