using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sheets;

/// <summary>
/// What an erasure of a shop's customers does to its Google Sheets. Call these inside the erasure's transaction, before
/// the erasure itself: bumping the syncs' counter locks their rows until the commit, so a run queued here (or one
/// finishing its pass) waits for the commit and then reads the data without the erased customers.
/// </summary>
public static class SheetRedactions
{
    /// <summary>customers/redact, data retention: every proved sync of the shop, paused or not, is rewritten (or, paused, has the rows blanked).</summary>
    public static async Task QueueRewritesAsync(WinBackDbContext db, IBackgroundJobClient jobs, long shopId, CancellationToken cancellationToken)
    {
        var ids = await db.Database.SqlQuery<long>($"""
            UPDATE sheet_syncs SET redactions_requested = redactions_requested + 1
            WHERE shop_id = {shopId} AND verified_at IS NOT NULL RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        foreach (var id in ids) jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, id, CancellationToken.None));
    }

    /// <summary>shop/redact: the tabs the shop proved and WinBack wrote are cleared. An unproved one was never written, and may be someone else's.</summary>
    public static async Task QueueTabClearsAsync(WinBackDbContext db, IBackgroundJobClient jobs, long? shopId, CancellationToken cancellationToken)
    {
        var tabs = await db.SheetSyncs.Where(s => s.ShopId == shopId && s.VerifiedAt != null).Select(s => new { s.SpreadsheetId, s.TabName }).ToListAsync(cancellationToken);
        foreach (var tab in tabs) jobs.Enqueue<SheetSyncJob>(job => job.ClearTabAsync(tab.SpreadsheetId, tab.TabName, CancellationToken.None));
    }
}
