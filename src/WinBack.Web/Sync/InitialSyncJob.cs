using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;
using WinBack.Web.Sheets;
using WinBack.Web.Shops;

namespace WinBack.Web.Sync;

/// <summary>
/// The full sync of a shop (on install, and on demand): one bulk operation for customers and one for orders, both
/// streamed into PostgreSQL (customers staged, orders imported, then customers written with their rollups), then every
/// customer's rollups checked. The state per resource is checkpointed, so a crash or a deploy resumes: an imported
/// resource is not imported again, a bulk operation still running or completed (and not expired) is reused instead of
/// started over, and a failed or expired one is replaced by a new one.
/// </summary>
public sealed class InitialSyncJob(
    WinBackDbContext db,
    ShopAccessTokens tokens,
    ShopifyGraphQLClient shopify,
    BulkImporter importer,
    CustomerRollups rollups,
    CustomerRescoring rescoring,
    IBackgroundJobClient jobs,
    WinBackMetrics metrics,
    TimeProvider time,
    ILogger<InitialSyncJob> logger)
{
    public const string CustomersBulkQuery =
        "{ customers { edges { node { id firstName lastName defaultEmailAddress { emailAddress marketingState } createdAt updatedAt } } } }";

    public const string OrdersBulkQuery =
        "{ orders { edges { node { id name processedAt updatedAt cancelledAt test customer { id } currentTotalPriceSet { shopMoney { amount currencyCode } } " +
        "lineItems { edges { node { id title quantity product { id } } } } } } } }";

    // A status poll costs one point of a bucket that refills 100 a second; waiting up to 10 s between polls left a
    // finished export unread for seconds (half the interval on average), the merchant's first sync that much longer.
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(1);

    /// <summary>Advisory-lock namespace of full syncs: one per shop at a time, whichever server runs it.</summary>
    private const int SyncLockNamespace = 0x57_42_53; // "WBS"

    /// <summary>What the merchant reads when Shopify no longer accepts the shop's token.</summary>
    public const string ReconnectMessage =
        "Shopify no longer accepts WinBack's access to your store. Open WinBack from your Shopify admin to reconnect it; the import then starts again.";

    [Queue(JobQueues.Shopify)]
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        if (!await db.RunExclusiveAsync(SyncLockNamespace, shopId, () => SyncOrRecordFailureAsync(shopId, cancellationToken), cancellationToken))
            logger.LogInformation("A sync of shop {ShopId} is already running elsewhere; this one stands down", shopId);
    }

    /// <summary>
    /// A sync that stops ends as Failed with a reason the merchant can read, never as "Running" forever. Without a
    /// working token it stops for good (retrying cannot help before the merchant reconnects, and the next embedded load
    /// does that and queues the sync again); any other failure is rethrown for Hangfire to retry, which resumes from the
    /// checkpoints.
    /// </summary>
    private async Task SyncOrRecordFailureAsync(long shopId, CancellationToken cancellationToken)
    {
        try
        {
            await SyncAsync(shopId, cancellationToken);
            metrics.SyncEnded("initial", completed: true);
        }
        catch (Exception e) when (e is ShopifyUnauthorizedException or ShopNotAuthorizedException)
        {
            metrics.SyncEnded("initial", completed: false);
            logger.LogWarning("The sync of shop {ShopId} stopped: the shop needs re-authorization ({Reason})", shopId, e.Message);
            if (e is ShopifyUnauthorizedException refused) await tokens.MarkNeedsReauthorizationAsync(refused, CancellationToken.None);
            await RecordFailureAsync(shopId, ReconnectMessage);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.SyncEnded("initial", completed: false);
            await RecordFailureAsync(shopId, e is ShopifyApiException or HttpRequestException
                ? "Shopify could not be reached or did not finish the export. WinBack tries again in a few minutes; you can also start the import again now."
                : "The import stopped on an error on WinBack's side. WinBack tries again in a few minutes; you can also start the import again now.");
            throw;
        }
    }

    /// <summary>Marks what is not imported yet as Failed; a resource whose failure was already put in words (an export
    /// Shopify could not finish) keeps those.</summary>
    private async Task RecordFailureAsync(long shopId, string reason)
    {
        db.ChangeTracker.Clear();
        await db.SyncStates.Where(s => s.ShopId == shopId && s.Status != SyncStatus.Completed).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.LastError, x => x.Status == SyncStatus.Failed && x.LastError != null ? x.LastError : reason)
            .SetProperty(x => x.Status, SyncStatus.Failed), CancellationToken.None);
    }

    private async Task SyncAsync(long shopId, CancellationToken cancellationToken)
    {
        var states = await StatesAsync(shopId, cancellationToken);
        var credentials = await tokens.GetAsync(shopId, cancellationToken);
        // What Shopify will export depends on the scopes granted now (without read_all_orders, 60 days of orders): the
        // report states the window from what is recorded here.
        var granted = string.Join(',', (await shopify.GetGrantedScopesAsync(credentials, cancellationToken)).Order(StringComparer.Ordinal));
        await db.Shops.Where(s => s.Id == shopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Scopes, granted), cancellationToken);
        // Install reads the currency before queuing this job; guessing one would throw away every order in another.
        var currency = await db.Shops.Where(s => s.Id == shopId).Select(s => s.CurrencyCode).SingleAsync(cancellationToken)
            ?? throw new InvalidOperationException($"The currency of shop {shopId} is not known yet; it is read when the shop installs.");

        // Both bulk operations run at Shopify at once (API 2026-01 allows five per shop); imports follow one by one.
        var customers = await EnsureStartedAsync(states[SyncResource.Customers], CustomersBulkQuery, credentials, cancellationToken);
        var orders = await EnsureStartedAsync(states[SyncResource.Orders], OrdersBulkQuery, credentials, cancellationToken);

        // Customers are staged while Shopify may still export the orders, and written once the orders are in, with
        // their rollups: each customer row is written once, not inserted and then rewritten by the rollups.
        var stagedCustomers = customers is null ? 0 : await ImportAsync(customers, credentials,
            (url, progress) => importer.StageCustomersAsync(shopId, url, progress, cancellationToken), cancellationToken);
        if (orders is not null)
        {
            var imported = await ImportAsync(orders, credentials, async (url, progress) => url is null
                ? await EmptyOrdersAsync(shopId, cancellationToken)
                : await importer.ImportOrdersAsync(shopId, currency, url, ExportStart(orders), progress, cancellationToken), cancellationToken);
            await CompleteAsync(orders, imported, cancellationToken);
        }
        if (customers is not null)
        {
            await importer.MergeStagedCustomersAsync(shopId, stagedCustomers, ExportStart(customers), cancellationToken);
            await CompleteAsync(customers, stagedCustomers, cancellationToken);
        }
        else if (orders is not null)
        {
            await importer.DetachOrdersOfUnknownCustomersAsync(shopId, cancellationToken);
        }

        // The merge wrote every customer's rollups from the orders in the table; only a run that resumed after the
        // customers were merged (orders imported since) still has to recompute them.
        var changed = customers is null ? await rollups.RecomputeShopAsync(shopId, cancellationToken) : 0;
        logger.LogInformation("Sync of shop {ShopId} done; {Changed} customers' rollups changed after the merge", shopId, changed);
        // A shop synced again after its first refit: its new customers, and those whose last order the sync changed, are
        // scored now; everyone again at the refit queued below.
        await rescoring.ScoreStaleAsync(shopId, cancellationToken);
        // The retention series is rebuilt from the orders just imported: from the first order, not from install.
        jobs.Enqueue<RetentionSnapshotJob>(job => job.RebuildAsync(shopId, CancellationToken.None));
        jobs.Enqueue<CustomerPredictionJob>(job => job.RunAsync(shopId, CancellationToken.None));
        await SheetSyncDispatcher.QueueForShop(db, jobs, shopId, SheetSyncFrequency.AfterSync, cancellationToken);
    }

    /// <summary>Both resources' states, created (as Queued) before Shopify is asked anything, so the merchant sees the
    /// whole sync from its start and a failure of the very first call is recorded on it.</summary>
    private async Task<Dictionary<SyncResource, SyncState>> StatesAsync(long shopId, CancellationToken cancellationToken)
    {
        var states = await db.SyncStates.Where(s => s.ShopId == shopId).ToDictionaryAsync(s => s.Resource, cancellationToken);
        foreach (var resource in Enum.GetValues<SyncResource>().Where(r => !states.ContainsKey(r)))
            db.SyncStates.Add(states[resource] = new SyncState { ShopId = shopId, Resource = resource, Status = SyncStatus.Queued });
        await db.SaveChangesAsync(cancellationToken);
        return states;
    }

    /// <summary>The resource's state with a usable bulk operation, or null when the resource is already imported.</summary>
    private async Task<SyncState?> EnsureStartedAsync(SyncState state, string query, ShopifyCredentials credentials, CancellationToken cancellationToken)
    {
        if (state.Status == SyncStatus.Completed) return null;

        // A retry after a failure reuses the export that may still be running or done at Shopify.
        if (state.BulkOperationId is not null && state.Status is SyncStatus.Running or SyncStatus.Failed)
        {
            var existing = await shopify.GetBulkOperationAsync(credentials, state.BulkOperationId, cancellationToken);
            if (existing?.Status is BulkOperationStatus.Created or BulkOperationStatus.Running or BulkOperationStatus.Completed)
            {
                logger.LogInformation("Resuming {Resource} sync of shop {ShopId} with bulk operation {Operation}", state.Resource, state.ShopId, existing.Id);
                return state;
            }
        }

        var operation = await shopify.StartBulkQueryAsync(credentials, query, cancellationToken);
        state.BulkOperationId = operation.Id;
        state.Status = SyncStatus.Running;
        state.StartedAt = operation.CreatedAt;
        state.ObjectsDone = 0;
        state.ObjectsExpected = null;
        state.LastError = null;
        await db.SaveChangesAsync(cancellationToken);
        return state;
    }

    // Rows written after Shopify began the export may be missing from it without being gone. (Without a start time on
    // record, anything missing from the export is removed.)
    private static DateTimeOffset ExportStart(SyncState state) => state.StartedAt ?? DateTimeOffset.MaxValue;

    /// <returns>How many objects <paramref name="import"/> wrote; it is given a null URL when Shopify had nothing to export.</returns>
    private async Task<long> ImportAsync(SyncState state, ShopifyCredentials credentials, Func<Uri?, Func<long, Task>, Task<long>> import, CancellationToken cancellationToken)
    {
        var operation = await WaitForAsync(state, credentials, cancellationToken);
        if (operation.Status != BulkOperationStatus.Completed)
        {
            state.Status = SyncStatus.Failed;
            state.LastError = $"Shopify's export ended as {operation.Status} ({operation.ErrorCode ?? "no error code"}); the next sync starts a new one.";
            await db.SaveChangesAsync(cancellationToken);
            throw new InvalidOperationException($"The {state.Resource} bulk operation of shop {state.ShopId} ended as {operation.Status}.");
        }

        // Top-level objects only: nested lines (an order's line items) are not what the merchant counts.
        state.ObjectsExpected = operation.RootObjectCount ?? operation.ObjectCount;
        await db.SaveChangesAsync(cancellationToken);
        // Progress goes through its own connection: the import's connection is busy with the COPY.
        await using var progressConnection = await db.Database.OpenAnotherConnectionAsync(cancellationToken);
        // Progress in the metrics as it goes (a large import takes minutes), the rest once it is done.
        long counted = 0;
        var written = await import(operation.Url is null ? null : new Uri(operation.Url), async done =>
        {
            metrics.SyncObjectsWritten(state.Resource.ToString(), done - counted);
            counted = done;
            await using var command = new Npgsql.NpgsqlCommand(
                "UPDATE sync_states SET objects_done = @done WHERE shop_id = @shop AND resource = @resource", progressConnection);
            command.Parameters.AddWithValue("done", done);
            command.Parameters.AddWithValue("shop", state.ShopId);
            command.Parameters.AddWithValue("resource", state.Resource.ToString());
            await command.ExecuteNonQueryAsync(cancellationToken);
        });
        metrics.SyncObjectsWritten(state.Resource.ToString(), written - counted);
        return written;
    }

    private async Task CompleteAsync(SyncState state, long count, CancellationToken cancellationToken)
    {
        await db.Entry(state).ReloadAsync(cancellationToken);
        state.ObjectsDone = count;
        state.Status = SyncStatus.Completed;
        state.FinishedAt = time.GetUtcNow();
        // Changes after the export started arrive by webhook; reconciliation asks Shopify for them from here.
        state.Watermark = state.StartedAt;
        await db.SaveChangesAsync(cancellationToken);
    }

    // A shop with no orders to export: Shopify gives no URL, and the copy must be emptied all the same.
    private async Task<long> EmptyOrdersAsync(long shopId, CancellationToken cancellationToken)
    {
        await db.OrderLineItems.Where(li => li.ShopId == shopId).ExecuteDeleteAsync(cancellationToken);
        await db.Orders.Where(o => o.ShopId == shopId).ExecuteDeleteAsync(cancellationToken);
        return 0;
    }

    private async Task<BulkOperation> WaitForAsync(SyncState state, ShopifyCredentials credentials, CancellationToken cancellationToken)
    {
        var delay = FirstPoll;
        while (true)
        {
            var operation = await shopify.GetBulkOperationAsync(credentials, state.BulkOperationId!, cancellationToken)
                ?? throw new InvalidOperationException($"Shopify no longer knows bulk operation {state.BulkOperationId}.");
            if (operation.Status is not (BulkOperationStatus.Created or BulkOperationStatus.Running)) return operation;
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(LongestPoll.Ticks, delay.Ticks * 2));
        }
    }
}
