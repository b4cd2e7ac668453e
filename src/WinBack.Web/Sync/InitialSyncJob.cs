using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// The first full sync of a newly installed shop. Installing queues it; today it records that the sync is due
/// (a Queued sync state per resource, which the progress endpoint will show). The bulk-operation import itself is
/// the order-sync feature's work and replaces the body of this job.
/// </summary>
public sealed class InitialSyncJob(WinBackDbContext db, TimeProvider time)
{
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        foreach (var resource in Enum.GetValues<SyncResource>())
        {
            var state = await db.SyncStates.SingleOrDefaultAsync(s => s.ShopId == shopId && s.Resource == resource, cancellationToken);
            if (state is null) db.SyncStates.Add(state = new SyncState { ShopId = shopId, Resource = resource });
            if (state.Status is SyncStatus.Running or SyncStatus.Completed) continue;
            state.Status = SyncStatus.Queued;
            state.StartedAt = time.GetUtcNow();
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
