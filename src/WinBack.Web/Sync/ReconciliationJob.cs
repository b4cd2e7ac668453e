using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;
using WinBack.Web.Sheets;
using WinBack.Web.Shops;

namespace WinBack.Web.Sync;

/// <summary>
/// Heals what webhooks missed: pages through every customer and order Shopify changed since the shop's watermark
/// (the <c>updated_at</c> search filter, with five minutes of overlap for Shopify's eventually consistent index), writes
/// them like webhooks do, and moves the watermark to when the run began. The client waits for the cost bucket, and
/// pages are modest, so the shop's own API budget is never drained.
/// </summary>
public sealed class ReconciliationJob(
    WinBackDbContext db,
    ShopAccessTokens tokens,
    ShopifyGraphQLClient shopify,
    SyncWriter writer,
    IBackgroundJobClient jobs,
    WinBackMetrics metrics,
    TimeProvider time,
    ILogger<ReconciliationJob> logger)
{
    public const int PageSize = 100;
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    /// <summary>Advisory-lock namespace of reconciliations: one per shop at a time, whichever server runs it.</summary>
    private const int LockNamespace = 0x57_42_52; // "WBR"

    /// <summary>
    /// On the shopify queue's workers, like the full sync: a shop with much to catch up waits for its cost bucket for as long as
    /// that takes. A run that finds the shop's previous one still under way stands down, so a slow shop holds one worker,
    /// not one more every hour.
    /// </summary>
    [Queue(JobQueues.Shopify)]
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        if (!await db.RunExclusiveAsync(LockNamespace, shopId, () => RunLockedAsync(shopId, cancellationToken), cancellationToken))
            logger.LogInformation("Shop {ShopId}'s previous reconciliation is still under way; this run stands down", shopId);
    }

    private async Task RunLockedAsync(long shopId, CancellationToken cancellationToken)
    {
        var states = await db.SyncStates.Where(s => s.ShopId == shopId).ToListAsync(cancellationToken);
        if (states.Count != 2 || states.Any(s => s.Status != SyncStatus.Completed || s.Watermark is null)) return;
        var shop = await db.Shops.AsNoTracking().SingleAsync(s => s.Id == shopId, cancellationToken);
        if (!shop.IsInstalled || shop.NeedsReauthorization) return;

        try
        {
            await ReconcileAsync(shopId, shop, states, cancellationToken);
            metrics.SyncEnded("reconciliation", completed: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.SyncEnded("reconciliation", completed: false);
            throw;
        }
    }

    private async Task ReconcileAsync(long shopId, Shop shop, List<SyncState> states, CancellationToken cancellationToken)
    {
        var credentials = await tokens.GetAsync(shopId, cancellationToken);
        var startedAt = time.GetUtcNow();
        var customers = states.Single(s => s.Resource == SyncResource.Customers);
        var orders = states.Single(s => s.Resource == SyncResource.Orders);

        long customerCount = 0, orderCount = 0;
        string? after = null;
        do
        {
            var page = await shopify.GetCustomersPageAsync(credentials, after, Since(customers.Watermark!.Value), PageSize, cancellationToken);
            await writer.UpsertCustomersAsync(shopId, page.Nodes.Select(ToRow).ToList(), cancellationToken);
            customerCount += page.Nodes.Count;
            after = page.PageInfo.HasNextPage ? page.PageInfo.EndCursor : null;
        } while (after is not null);

        do
        {
            var page = await shopify.GetOrdersPageAsync(credentials, after, Since(orders.Watermark!.Value), PageSize, cancellationToken);
            writer.UpsertOrders(shopId, shop.CurrencyCode, page.Nodes.Where(o => o.CurrentTotalPriceSet.ShopMoney.CurrencyCode == shop.CurrencyCode)
                .Select(o => (ToRow(o), (CustomerRow?)null)));
            await writer.FlushAsync(cancellationToken);
            orderCount += page.Nodes.Count;
            after = page.PageInfo.HasNextPage ? page.PageInfo.EndCursor : null;
        } while (after is not null);

        customers.Watermark = orders.Watermark = startedAt;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Reconciled shop {ShopId}: {Customers} customers and {Orders} orders changed since the last run", shopId, customerCount, orderCount);
        if (customerCount + orderCount > 0) await SheetSyncDispatcher.QueueForShop(db, jobs, shopId, SheetSyncFrequency.AfterSync, cancellationToken);
    }

    private static string Since(DateTimeOffset watermark) =>
        $"updated_at:>='{(watermark - Overlap).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}'";

    private static CustomerRow ToRow(CustomerNode c) => new(ShopifyGid.ToLong(c.Id), c.FirstName, c.LastName,
        c.DefaultEmailAddress?.EmailAddress, c.DefaultEmailAddress?.MarketingState, c.CreatedAt, c.UpdatedAt);

    private static OrderRow ToRow(OrderNode o) => new(ShopifyGid.ToLong(o.Id), o.Customer is null ? null : ShopifyGid.ToLong(o.Customer.Id), o.Name,
        o.ProcessedAt, o.UpdatedAt, o.CancelledAt, o.Test, o.CurrentTotalPriceSet.ShopMoney.Amount, o.CurrentTotalPriceSet.ShopMoney.CurrencyCode);
}

/// <summary>Every hour, queues one reconciliation per installed shop, spread over the hour so shops do not all run at once.</summary>
public sealed class ReconciliationDispatcher(WinBackDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringId = "sync:reconcile";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shopIds = await db.Shops.Where(s => s.UninstalledAt == null && !s.NeedsReauthorization).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var shopId in shopIds)
            jobs.Schedule<ReconciliationJob>(job => job.RunAsync(shopId, CancellationToken.None), Stagger(shopId));
    }

    /// <summary>A shop's fixed minute in the hour.</summary>
    public static TimeSpan Stagger(long shopId) => TimeSpan.FromSeconds(shopId * 7919 % 3600);
}
