using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Reports;

namespace WinBack.Web.Sheets;

/// <summary>
/// Every 15 minutes: a run for each sync that is due (hourly: an hour since its last run; daily: not yet run today, from
/// 06:00 in the shop's timezone), and each sync an erasure has not yet reached. Runs after a data sync are queued by
/// <see cref="QueueForShop"/>, after an erasure by <see cref="SheetRedactions.QueueRewritesAsync"/>. Only proved syncs run.
/// </summary>
public sealed class SheetSyncDispatcher(WinBackDbContext db, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string RecurringId = "sheets:dispatch";
    public const int DailyHour = 6;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var (shopId, syncId, lastRunAt) in await DueAsync(cancellationToken))
            jobs.Enqueue<SheetSyncJob>(job => job.RunUnlessRunSinceAsync(shopId, syncId, lastRunAt, CancellationToken.None));
    }

    /// <summary>The syncs due for a run, each with the start of its last run as this dispatcher saw it.</summary>
    public async Task<IReadOnlyList<(long ShopId, long SyncId, DateTimeOffset? LastRunAt)>> DueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var syncs = await db.SheetSyncs.AsNoTracking().Where(s => s.VerifiedAt != null)
            .Join(db.Shops, s => s.ShopId, shop => shop.Id, (s, shop) => new
            {
                s.ShopId, s.Id, s.Frequency, s.LastRunAt, shop.IanaTimezone,
                Scheduled = !s.Paused && s.Frequency != SheetSyncFrequency.AfterSync && shop.UninstalledAt == null,
                // An erasure whose run did not get through (busy, failing, paused): tried again until the tab is clean.
                RedactionPending = s.RedactionsRequested != s.RedactionsApplied,
            })
            .Where(s => s.Scheduled || s.RedactionPending)
            .ToListAsync(cancellationToken);
        return syncs.Where(s =>
        {
            if (s.RedactionPending) return true;
            if (s.Frequency == SheetSyncFrequency.Hourly) return s.LastRunAt is null || now - s.LastRunAt >= TimeSpan.FromMinutes(55);
            var calendar = ShopCalendar.For(s.IanaTimezone, now);
            var startOfRun = calendar.StartOfDay(calendar.Today).Add(TimeSpan.FromHours(DailyHour));
            return now >= startOfRun && (s.LastRunAt is null || s.LastRunAt < startOfRun);
        }).Select(s => (s.ShopId, s.Id, s.LastRunAt)).ToList();
    }

    /// <summary>Queues a run of every sync of a shop (of the given frequency only, when one is given).</summary>
    public static async Task QueueForShop(WinBackDbContext db, IBackgroundJobClient jobs, long shopId, SheetSyncFrequency? only, CancellationToken cancellationToken)
    {
        var ids = await db.SheetSyncs.Where(s => s.ShopId == shopId && s.VerifiedAt != null && !s.Paused && (only == null || s.Frequency == only))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var id in ids) jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, id, CancellationToken.None));
    }
}
