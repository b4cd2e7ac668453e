using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
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

    public async Task RunAsync(long shopId, long syncId, CancellationToken cancellationToken)
    {
        if (!await db.RunExclusiveAsync(LockNamespace, syncId, () => RunLockedAsync(shopId, syncId, cancellationToken), cancellationToken))
            logger.LogInformation("Sheet sync {SyncId} is already running elsewhere; this run stands down", syncId);
    }

    /// <summary>After shop/redact: the tab's values go too (the shop, and so the sync's row, is already gone).</summary>
    public async Task ClearTabAsync(string spreadsheetId, string tabName, CancellationToken cancellationToken)
    {
        await limiter.AcquireAsync(options.Value.ServiceAccountEmail ?? "", cancellationToken);
        await sheets.ClearValuesAsync(spreadsheetId, GoogleSheetsClient.Range(tabName, "A:ZZZ"), cancellationToken);
    }

    private async Task RunLockedAsync(long shopId, long syncId, CancellationToken cancellationToken)
    {
        var sync = await db.SheetSyncs.SingleOrDefaultAsync(s => s.ShopId == shopId && s.Id == syncId, cancellationToken);
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        if (sync is null || sync.Paused || !installed) return;
        sync.LastRunAt = time.GetUtcNow();
        try
        {
            sync.RowsWritten = await RewriteAsync(sync, cancellationToken);
            (sync.LastSuccessAt, sync.LastError, sync.ConsecutiveFailures) = (time.GetUtcNow(), null, 0);
        }
        catch (SheetsException e)
        {
            sync.ConsecutiveFailures++;
            sync.Paused = sync.ConsecutiveFailures >= SheetSync.PauseAfterFailures;
            sync.LastError = sync.Paused ? $"Paused after {sync.ConsecutiveFailures} failed runs in a row. {e.Message}" : e.Message;
            logger.LogWarning("Sheet sync {SyncId} of shop {ShopId} failed ({Failures} in a row): {Reason}", syncId, shopId, sync.ConsecutiveFailures, e.Message);
        }
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<int> RewriteAsync(SheetSync sync, CancellationToken cancellationToken)
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
        if (tab is null)
        {
            await sheets.BatchUpdateAsync(sync.SpreadsheetId,
                [new { addSheet = new { properties = new { title = sync.TabName, gridProperties = new { rowCount = rows, columnCount = columns } } } }], cancellationToken);
        }
        else
        {
            // Columns first: growing rows on the old width could cross the cell limit that the final shape respects.
            await sheets.BatchUpdateAsync(sync.SpreadsheetId,
            [
                new { updateSheetProperties = new { properties = new { sheetId = tab.SheetId, gridProperties = new { columnCount = columns } }, fields = "gridProperties.columnCount" } },
                new { updateSheetProperties = new { properties = new { sheetId = tab.SheetId, gridProperties = new { rowCount = rows } }, fields = "gridProperties.rowCount" } },
            ], cancellationToken);
        }

        var today = scope.Calendar.Today;
        var listed = await db.SheetListings.AsNoTracking().Where(l => l.ShopId == sync.ShopId && l.SyncId == sync.Id)
            .ToDictionaryAsync(l => l.CustomerId, l => l.ListedSince, cancellationToken);
        var current = new Dictionary<long, DateOnly>(count);
        var listedForOutcomes = new List<WinBackOutcomes.Listed>(count);
        var chunk = new List<IReadOnlyList<string>>(options.Value.RowsPerWrite) { Header };
        var firstRow = 1;
        var written = 0;
        await foreach (var record in query.AllAsync(scope, filter, cancellationToken))
        {
            var since = listed.GetValueOrDefault(record.Id, today);
            current[record.Id] = since;
            var row = ReportEndpoints.ToRow(record, scope);
            chunk.Add(Row(row, since));
            if (row.LastOrderDate is { } lastOrder) listedForOutcomes.Add(new(row.Id, lastOrder, row.Segment));
            if (chunk.Count == options.Value.RowsPerWrite)
            {
                written += await WriteChunkAsync(sync, account, firstRow, chunk, rows, cancellationToken);
                firstRow += chunk.Count;
                chunk.Clear();
            }
        }
        if (chunk.Count > 0) written += await WriteChunkAsync(sync, account, firstRow, chunk, rows, cancellationToken);

        await db.SheetListings.Where(l => l.ShopId == sync.ShopId && l.SyncId == sync.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO sheet_listings (shop_id, sync_id, customer_id, listed_since)
            SELECT {sync.ShopId}, {sync.Id}, l.customer_id, l.listed_since FROM unnest({current.Keys.ToArray()}, {current.Values.ToArray()}) AS l(customer_id, listed_since)
            """, cancellationToken);
        await outcomes.RecordAsync(sync.ShopId, listedForOutcomes, ListingChannel.Sheet, cancellationToken);
        return written - 1;
    }

    private async Task<int> WriteChunkAsync(SheetSync sync, string account, int firstRow, List<IReadOnlyList<string>> chunk, int gridRows, CancellationToken cancellationToken)
    {
        // The list may have grown since it was counted; rows past the grid wait for the next run.
        var fitting = chunk.Take(Math.Max(0, gridRows - firstRow + 1)).ToList();
        if (fitting.Count == 0) return 0;
        await limiter.AcquireAsync(account, cancellationToken);
        await sheets.WriteValuesAsync(sync.SpreadsheetId,
            [(GoogleSheetsClient.Range(sync.TabName, $"A{firstRow}:{(char)('A' + Header.Length - 1)}{firstRow + fitting.Count - 1}"), fitting)], cancellationToken);
        return fitting.Count;
    }

    private static string[] Row(ReportCustomer c, DateOnly listedSince) =>
        [.. CustomersCsv.Fields(c), listedSince.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)];
}
