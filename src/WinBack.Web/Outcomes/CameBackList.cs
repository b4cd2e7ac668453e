using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Outcomes;

/// <summary>
/// A listed customer who ordered again: when they were first listed and through which channels (or held out for the
/// control group), and their first qualifying order after that, with what it held.
/// </summary>
public sealed record CameBackCustomer(long CustomerId, string Name, string? Email, string Segment, DateTimeOffset ListedAt, IReadOnlyList<string> Channels,
    bool Control, DateTimeOffset CameBackAt, int DaysAfterListing, string OrderName, decimal OrderTotal, IReadOnlyList<string> Products);

public sealed record CameBackPage(IReadOnlyList<CameBackCustomer> Customers, int TotalCount, int Page, int PageSize);

/// <summary>Who came back after a listing of the last year, most recent comeback first, a page at a time.</summary>
public sealed class CameBackList(WinBackDbContext db, TimeProvider time)
{
    public const int PageSize = 25;

    /// <summary>The channels in the merchant's words, in a fixed order.</summary>
    public static IReadOnlyList<string> Words(ListingChannels channels) =>
    [
        .. new (ListingChannels Flag, string Word)[]
        {
            (ListingChannels.Digest, "Digest"), (ListingChannels.Sheet, "Google Sheet"), (ListingChannels.Csv, "CSV download"),
            (ListingChannels.ScheduledReport, "Scheduled report"), (ListingChannels.Tags, "Shopify tags"),
        }.Where(c => channels.HasFlag(c.Flag)).Select(c => c.Word),
    ];

    private sealed record Row(long CustomerId, string? FirstName, string? LastName, string? Email, string Segment, DateTimeOffset FirstListedAt, int Channels,
        bool Control, long OrderId, string OrderName, DateTimeOffset ProcessedAt, decimal CurrentTotal, int TotalCount);

    public async Task<CameBackPage> PageAsync(long shopId, int page, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<Row>($"""
            SELECT l.customer_id, c.first_name, c.last_name, c.email, l.segment, l.first_listed_at, l.channels, l.control,
                   o.id AS order_id, o.name AS order_name, o.processed_at, o.current_total, (count(*) OVER ())::int AS total_count
            FROM winback_listings l
            JOIN LATERAL (
                SELECT o.id, o.name, o.processed_at, o.current_total FROM orders o
                WHERE o.shop_id = l.shop_id AND o.customer_id = l.customer_id AND {QualifyingOrders.Sql} AND o.processed_at > l.first_listed_at
                ORDER BY o.processed_at, o.id LIMIT 1) o ON true
            LEFT JOIN customers c ON c.shop_id = l.shop_id AND c.id = l.customer_id
            WHERE l.shop_id = @shop AND l.first_listed_at > @since
            ORDER BY o.processed_at DESC, l.customer_id, l.last_order_on
            LIMIT @size OFFSET @offset
            """, new NpgsqlParameter("shop", shopId), new NpgsqlParameter("since", time.GetUtcNow().AddDays(-WinBackOutcomes.LookbackDays)),
            new NpgsqlParameter("size", PageSize), new NpgsqlParameter("offset", (page - 1) * PageSize)).ToListAsync(cancellationToken);

        var orderIds = rows.Select(r => r.OrderId).ToArray();
        var products = (await db.OrderLineItems.AsNoTracking().Where(i => i.ShopId == shopId && orderIds.Contains(i.OrderId))
                .OrderBy(i => i.Id).Select(i => new { i.OrderId, i.Title }).ToListAsync(cancellationToken))
            .ToLookup(i => i.OrderId, i => i.Title);
        var total = rows.Count > 0 ? rows[0].TotalCount
            : page == 1 ? 0 : (await PageAsync(shopId, 1, cancellationToken)).TotalCount;
        return new CameBackPage(rows.Select(r => new CameBackCustomer(r.CustomerId, ReportCustomer.NameOf(r.CustomerId, r.FirstName, r.LastName, r.Email), r.Email,
            r.Segment, r.FirstListedAt, Words((ListingChannels)r.Channels), r.Control, r.ProcessedAt, (int)(r.ProcessedAt - r.FirstListedAt).TotalDays, r.OrderName, r.CurrentTotal, products[r.OrderId].Distinct().ToList())).ToList(),
            total, page, PageSize);
    }
}
