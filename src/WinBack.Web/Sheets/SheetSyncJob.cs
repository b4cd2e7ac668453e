using System.Globalization;
using Hangfire;
using Npgsql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;

namespace WinBack.Web.Sheets;

/// <summary>
/// Rewrites one sync's tab from current data: header, then one row per customer of the view, written RAW (a name that
/// starts with "=" stays text). The grid is sized to the list first (columns before rows, so the cell check never sees
/// the bigger shape) and the 10-million-cell limit is checked before anything is written; rows that left the view
/// disappear with the rows the grid drops. Writes go in chunks near 2 MB, each after a slot of the shared quota.
/// A failure is kept in words; after five in a row the sync is paused.
/// </summary>
public sealed class SheetSyncJob(
    WinBackDbContext db,
    GoogleSheetsClient sheets,
    SheetsWriteLimiter limiter,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    WinBackOutcomes outcomes,
    IOptions<SheetsOptions> options,
    IOptions<DatabaseOptions> database,
    IBackgroundJobClient jobs,
    WinBackMetrics metrics,
    TimeProvider time,
    ILogger<SheetSyncJob> logger)
{
    public const long CellLimit = 10_000_000;

    public static readonly string[] Header =
    [
        "Customer ID", "First name", "Last name", "Email", "Email marketing", "Last order date", "Weeks since last order", "Orders",
        "Total spent", "Segment", "Priority", "Suggested offer", .. CustomersCsv.PredictionHeaders, "Listed since",
    ];

    /// <summary>Advisory-lock namespace of sheet runs: one run per sync at a time, on whichever server.</summary>
    private const int LockNamespace = 0x57_42_53_48; // "WBSH"

    /// <summary>How often a run writes the list again because a customer was erased while it wrote.</summary>
    private const int MaxPasses = 3;

    /// <summary>When a run that found the tab busy while an erasure waits for it tries again.</summary>
    public static readonly TimeSpan RetryWhileBusy = TimeSpan.FromSeconds(30);

    /// <summary>A run that would begin by waiting longer than this for the shared quota comes back later instead,
    /// so the wait does not hold a worker.</summary>
    public static readonly TimeSpan LongestQuotaWaitInWorker = TimeSpan.FromSeconds(5);

    /// <summary>A run of the sync (after a data sync, an erasure, the merchant's "sync now"): it rewrites the tab.</summary>
    [Queue(JobQueues.Sheets)]
    public Task RunAsync(long shopId, long syncId, CancellationToken cancellationToken) => RunAsync(shopId, syncId, new Due(Always: true, null), cancellationToken);

    /// <summary>
    /// The dispatcher's run of a sync it found due, whose last run then began at <paramref name="lastRunAt"/>: it stands
    /// down if another run has begun since (unless an erasure waits for the tab). When Google's quota is short, runs wait,
    /// and the dispatcher finds the same sync due again every quarter hour: each copy would otherwise rewrite the tab,
    /// spending the quota all shops share on work already done.
    /// </summary>
    [Queue(JobQueues.Sheets)]
    public Task RunUnlessRunSinceAsync(long shopId, long syncId, DateTimeOffset? lastRunAt, CancellationToken cancellationToken) =>
        RunAsync(shopId, syncId, new Due(Always: false, lastRunAt), cancellationToken);

    /// <summary>Whether a run rewrites the tab: always, or only if no run began after <paramref name="LastRunAt"/>.</summary>
    private sealed record Due(bool Always, DateTimeOffset? LastRunAt)
    {
        public bool Holds(SheetSync sync) => Always || sync.LastRunAt == LastRunAt || sync.RedactionsRequested != sync.RedactionsApplied;
    }

    private async Task RunAsync(long shopId, long syncId, Due due, CancellationToken cancellationToken)
    {
        if (await limiter.TimeUntilFreeAsync(options.Value.ServiceAccountEmail ?? "", cancellationToken) is { } wait && wait > LongestQuotaWaitInWorker)
        {
            Reschedule(shopId, syncId, due, wait);
            metrics.SheetQuotaWait(wait, rescheduled: true);
            logger.LogInformation("Sheet sync {SyncId} waits {Wait} for Google's write quota; rescheduled", syncId, wait);
            return;
        }
        if (await db.RunExclusiveAsync(LockNamespace, syncId, () => RunLockedAsync(shopId, syncId, due, cancellationToken), cancellationToken)) return;
        // The run holding the tab may have read its list before an erasure that queued this one: come back after it.
        if (await LockedRedactionsAsync(shopId, syncId, cancellationToken) is { Pending: true })
            jobs.Schedule<SheetSyncJob>(job => job.RunAsync(shopId, syncId, CancellationToken.None), RetryWhileBusy);
        else logger.LogInformation("Sheet sync {SyncId} is already running elsewhere; this run stands down", syncId);
    }

    /// <summary>After shop/redact or a removal: the tab's values go too, unless a proved sync (the merchant reconnecting it) holds the tab again.</summary>
    [Queue(JobQueues.Sheets)]
    public async Task ClearTabAsync(string spreadsheetId, string tabName, CancellationToken cancellationToken)
    {
        // FOR SHARE waits for the removal's transaction, so a removal not yet committed is seen as done, not as a holder.
        var holders = await db.SheetSyncs
            .FromSql($"SELECT * FROM sheet_syncs WHERE spreadsheet_id = {spreadsheetId} AND tab_name = {tabName} AND verified_at IS NOT NULL FOR SHARE")
            .ToListAsync(cancellationToken);
        if (holders.Count > 0) return;
        await limiter.AcquireAsync(options.Value.ServiceAccountEmail ?? "", cancellationToken);
        await sheets.ClearValuesAsync(spreadsheetId, GoogleSheetsClient.Range(tabName, "A:ZZZ"), cancellationToken);
    }

    private sealed record Redactions(long Requested, long Applied)
    {
        public bool Pending => Requested != Applied;
    }

    /// <summary>
    /// The sync's erasure counters, read FOR SHARE: an erasure bumps them first in its transaction, so this waits for one
    /// under way and sees it committed, and one that starts later waits for the caller's transaction.
    /// </summary>
    private async Task<Redactions?> LockedRedactionsAsync(long shopId, long syncId, CancellationToken cancellationToken) =>
        (await db.Database.SqlQuery<Redactions>(
            $"SELECT redactions_requested AS requested, redactions_applied AS applied FROM sheet_syncs WHERE shop_id = {shopId} AND id = {syncId} FOR SHARE")
            .ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>The same run again after <paramref name="delay"/>, the dispatcher's run still standing down if another runs first.</summary>
    private void Reschedule(long shopId, long syncId, Due due, TimeSpan delay)
    {
        if (due.Always) jobs.Schedule<SheetSyncJob>(job => job.RunAsync(shopId, syncId, CancellationToken.None), delay);
        else jobs.Schedule<SheetSyncJob>(job => job.RunUnlessRunSinceAsync(shopId, syncId, due.LastRunAt, CancellationToken.None), delay);
    }

    private async Task RunLockedAsync(long shopId, long syncId, Due due, CancellationToken cancellationToken)
    {
        SheetSync? sync;
        try
        {
            // FOR SHARE sees an erasure under way committed (SheetRedactions), but an erasure can take minutes (a first
            // retention period forgets hundreds of thousands of customers): the run does not wait for it on one of the few
            // Sheets workers every shop shares. It comes back, and the erasure has queued a run of its own too.
            sync = (await db.SheetSyncs.FromSql($"SELECT * FROM sheet_syncs WHERE shop_id = {shopId} AND id = {syncId} FOR SHARE NOWAIT")
                .ToListAsync(cancellationToken)).SingleOrDefault();
        }
        catch (Exception e) when (LockWaits.IsLockNotAvailable(e))
        {
            Reschedule(shopId, syncId, due, RetryWhileBusy);
            logger.LogInformation("Sheet sync {SyncId}: its row is being changed (an erasure of its shop's customers, or its settings); the run comes back in {Wait}",
                syncId, RetryWhileBusy);
            return;
        }
        if (sync?.VerifiedAt is null) return;
        if (!due.Holds(sync))
        {
            logger.LogInformation("Sheet sync {SyncId} ran since it was found due; this run stands down", syncId);
            return;
        }
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        if (sync.Paused || !installed)
        {
            // Such a sync is not rewritten, but an erased customer still leaves its tab.
            if (sync.RedactionsRequested != sync.RedactionsApplied) await BlankErasedRowsAsync(sync, cancellationToken);
            return;
        }
        sync.LastRunAt = time.GetUtcNow();
        try
        {
            var redactionsRead = sync.RedactionsRequested;
            for (var pass = 1; ; pass++)
            {
                var (written, redactionsNow) = await RewriteAsync(sync, redactionsRead, cancellationToken);
                if (redactionsNow is null)
                {
                    await ClearTabAsync(sync.SpreadsheetId, sync.TabName, cancellationToken);
                    return;
                }
                sync.RowsWritten = written;
                if (redactionsNow == redactionsRead) break;
                // A customer was erased after this pass read its list; the next pass reads it again.
                redactionsRead = redactionsNow.Value;
                if (pass == MaxPasses) throw new SheetsException("Customers were being erased throughout the update; it will be tried again shortly.", 409);
            }
            sync.RedactionsApplied = redactionsRead;
            (sync.LastSuccessAt, sync.LastError, sync.ConsecutiveFailures) = (time.GetUtcNow(), null, 0);
        }
        catch (SheetsException e)
        {
            // An outage (ours or Google's) would otherwise pause every shop's sync until each merchant resumed it.
            if (e is not SheetsUnreachableException) sync.ConsecutiveFailures++;
            sync.Paused = sync.ConsecutiveFailures >= SheetSync.PauseAfterFailures;
            sync.LastError = sync.Paused ? $"Paused after {sync.ConsecutiveFailures} failed runs in a row. {e.Message}" : e.Message;
            logger.LogWarning("Sheet sync {SyncId} of shop {ShopId} failed ({Failures} in a row): {Reason}", syncId, shopId, sync.ConsecutiveFailures, e.Message);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>
    /// For a sync that is not rewritten (paused, or its shop uninstalled): the rows of customers WinBack no longer holds
    /// are blanked in place. A sheet WinBack can no longer reach holds nothing it could remove.
    /// </summary>
    private async Task BlankErasedRowsAsync(SheetSync sync, CancellationToken cancellationToken)
    {
        var redactionsRead = sync.RedactionsRequested;
        try
        {
            var column = await sheets.GetValuesAsync(sync.SpreadsheetId, GoogleSheetsClient.Range(sync.TabName, "A2:A"), cancellationToken);
            var listed = column.Select((cells, index) => (Row: index + 2, Id: cells.Count > 0 && long.TryParse(cells[0], out var id) ? id : 0)).Where(r => r.Id != 0).ToList();
            var ids = listed.Select(r => r.Id).ToArray();
            var held = (await db.Customers.Where(c => c.ShopId == sync.ShopId && ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken)).ToHashSet();
            var blank = Enumerable.Repeat("", Header.Length).ToArray();
            var erased = listed.Where(r => !held.Contains(r.Id))
                .Select(r => (GoogleSheetsClient.Range(sync.TabName, $"A{r.Row}:{LastColumn}{r.Row}"), (IReadOnlyList<IReadOnlyList<string>>)[blank])).ToList();
            if (erased.Count > 0)
            {
                await limiter.AcquireAsync(options.Value.ServiceAccountEmail ?? "", cancellationToken);
                await sheets.WriteValuesAsync(sync.SpreadsheetId, erased, cancellationToken);
            }
            sync.RedactionsApplied = redactionsRead;
        }
        catch (SheetsException e) when (e is SheetsPermissionDeniedException or SheetsNotFoundException)
        {
            sync.RedactionsApplied = redactionsRead;
        }
        catch (SheetsException e)
        {
            // The dispatcher tries again while the erasure is pending.
            logger.LogWarning("Erased customers could not be removed from sheet sync {SyncId} of shop {ShopId}: {Reason}", sync.Id, sync.ShopId, e.Message);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static readonly string LastColumn = ((char)('A' + Header.Length - 1)).ToString();

    /// <returns>The customers written, and the erasure counter when the listings were recorded (null: the sync was removed meanwhile).</returns>
    private async Task<(int Written, long? RedactionsNow)> RewriteAsync(SheetSync sync, long redactionsRead, CancellationToken cancellationToken)
    {
        var scope = await scopes.LoadAsync(sync.ShopId, cancellationToken);
        var viewQuery = sync.SavedViewId is { } viewId
            ? await db.SavedViews.Where(v => v.ShopId == sync.ShopId && v.Id == viewId).Select(v => v.Query).SingleOrDefaultAsync(cancellationToken)
              ?? throw new SheetsException("The saved view this sheet follows was deleted. Choose another view in the settings.", 400)
            : "";
        var (filter, errors) = InactiveCustomersFilter.Parse(viewQuery, scope.ThresholdWeeks);
        if (errors.Count > 0) throw new SheetsException($"The saved view no longer fits your settings: {errors.First().Value[0]}", 400);

        var account = options.Value.ServiceAccountEmail ?? "";
        var spreadsheet = await sheets.GetSpreadsheetAsync(sync.SpreadsheetId, cancellationToken);
        var tab = spreadsheet.Tabs.FirstOrDefault(t => t.Title == sync.TabName);
        var count = await query.CountAsync(scope, filter, cancellationToken);
        var (rows, columns) = (count + 1, Header.Length);
        var otherCells = spreadsheet.Tabs.Where(t => t != tab).Sum(t => (long)t.RowCount * t.ColumnCount);
        if (otherCells + (long)rows * columns > CellLimit)
            throw new SheetsLimitException($"{count:N0} customers need {(long)rows * columns:N0} cells and the other tabs hold {otherCells:N0}; a spreadsheet holds at most {CellLimit:N0}. Use a spreadsheet of its own or a narrower view.");

        await limiter.AcquireAsync(account, cancellationToken);
        int sheetId;
        if (tab is null)
        {
            var replies = await sheets.BatchUpdateAsync(sync.SpreadsheetId,
                [new { addSheet = new { properties = new { title = sync.TabName, gridProperties = new { rowCount = rows, columnCount = columns } } } }], cancellationToken);
            sheetId = replies[0].GetProperty("addSheet").GetProperty("properties").GetProperty("sheetId").GetInt32();
        }
        else
        {
            sheetId = tab.SheetId;
            // Columns first: growing rows on the old width could cross the cell limit that the final shape respects.
            await sheets.BatchUpdateAsync(sync.SpreadsheetId,
            [
                new { updateSheetProperties = new { properties = new { sheetId, gridProperties = new { columnCount = columns } }, fields = "gridProperties.columnCount" } },
                RowCountRequest(sheetId, rows),
            ], cancellationToken);
        }

        var today = scope.Calendar.Today;
        var listed = await db.SheetListings.AsNoTracking().Where(l => l.ShopId == sync.ShopId && l.SyncId == sync.Id)
            .ToDictionaryAsync(l => l.CustomerId, l => l.ListedSince, cancellationToken);
        var current = new Dictionary<long, DateOnly>(count);
        var outgoing = await outcomes.StartListAsync(scope, ListingChannels.Sheet, cancellationToken);
        var chunk = new List<(long Id, IReadOnlyList<string> Row)>(options.Value.RowsPerWrite) { (0, Header) };
        var written = 0;
        await foreach (var record in query.AllAsync(scope, filter, cancellationToken))
        {
            var row = ReportCustomer.From(record, scope);
            if (!outgoing.Contacts(row)) continue;
            var since = listed.GetValueOrDefault(record.Id, today);
            current[record.Id] = since;
            chunk.Add((record.Id, Row(row, since)));
            if (chunk.Count == options.Value.RowsPerWrite)
            {
                written += await WriteChunkAsync(sync, account, written + 1, chunk, rows, cancellationToken);
                chunk.Clear();
            }
        }
        if (chunk.Count > 0) written += await WriteChunkAsync(sync, account, written + 1, chunk, rows, cancellationToken);
        if (written < rows)
        {
            // The list shrank after it was counted (or the control group held some out): the rows past its end still hold the last run's customers.
            await limiter.AcquireAsync(account, cancellationToken);
            await sheets.BatchUpdateAsync(sync.SpreadsheetId, [RowCountRequest(sheetId, written)], cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var redactionsNow = await LockedRedactionsAsync(sync.ShopId, sync.Id, cancellationToken);
        if (redactionsNow?.Requested != redactionsRead) return (written - 1, redactionsNow?.Requested);
        await db.SheetListings.Where(l => l.ShopId == sync.ShopId && l.SyncId == sync.Id).ExecuteDeleteAsync(cancellationToken);
        var listedIds = outgoing.Listed.Select(l => l.CustomerId).Union(current.Keys).ToArray();
        var held = (await db.Customers.Where(c => c.ShopId == sync.ShopId && listedIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(cancellationToken)).ToHashSet();
        var keys = current.Keys.Where(held.Contains).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO sheet_listings (shop_id, sync_id, customer_id, listed_since)
            SELECT {sync.ShopId}, {sync.Id}, l.customer_id, l.listed_since FROM unnest({keys}, {keys.Select(k => current[k]).ToArray()}) AS l(customer_id, listed_since)
            """, cancellationToken);
        await outcomes.RecordAsync(sync.ShopId, outgoing.Listed.Where(l => held.Contains(l.CustomerId)), outgoing.Channel, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (written - 1, redactionsRead);
    }

    private static object RowCountRequest(int sheetId, int rows) =>
        new { updateSheetProperties = new { properties = new { sheetId, gridProperties = new { rowCount = rows } }, fields = "gridProperties.rowCount" } };

    /// <summary>Writes the rows of customers WinBack still holds: one erased since the list was read is left out.</summary>
    private async Task<int> WriteChunkAsync(SheetSync sync, string account, int firstRow, List<(long Id, IReadOnlyList<string> Row)> chunk, int gridRows, CancellationToken cancellationToken)
    {
        var erased = await ErasedAsync(sync.ShopId, chunk.Where(c => c.Id != 0).Select(c => c.Id).ToArray(), cancellationToken);
        // The list may have grown since it was counted; rows past the grid wait for the next run.
        var fitting = chunk.Where(c => !erased.Contains(c.Id)).Select(c => c.Row).Take(Math.Max(0, gridRows - firstRow + 1)).ToList();
        if (fitting.Count == 0) return 0;
        await limiter.AcquireAsync(account, cancellationToken);
        await sheets.WriteValuesAsync(sync.SpreadsheetId,
            [(GoogleSheetsClient.Range(sync.TabName, $"A{firstRow}:{LastColumn}{firstRow + fitting.Count - 1}"), fitting)], cancellationToken);
        return fitting.Count;
    }

    /// <summary>Which of these customers are no longer held. On a connection of its own: the run's reader is still open on the DbContext's.</summary>
    private async Task<HashSet<long>> ErasedAsync(long shopId, long[] ids, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT l.id FROM unnest($2::bigint[]) AS l(id) WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.shop_id = $1 AND c.id = l.id)", connection)
        {
            Parameters = { new() { Value = shopId }, new() { Value = ids } },
        };
        var erased = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) erased.Add(reader.GetInt64(0));
        return erased;
    }

    private static string[] Row(ReportCustomer c, DateOnly listedSince) =>
        [.. CustomersCsv.Fields(c), listedSince.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)];
}
