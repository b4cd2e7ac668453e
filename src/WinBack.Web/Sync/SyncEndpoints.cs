using System.Security.Claims;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Sync;

public static class SyncEndpoints
{
    public sealed record ResourceProgress(string Resource, string Status, long ObjectsDone, long? ObjectsExpected, double? ObjectsPerSecond,
        DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

    public sealed record SyncProgress(IReadOnlyList<ResourceProgress> Resources);

    /// <summary>GET /api/sync (progress the merchant sees) and POST /api/sync (a full sync on demand), for the session's shop only.</summary>
    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sync").RequireAuthorization();
        group.MapGet("/", async (ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var shopId = user.ShopId();
            var states = await db.SyncStates.AsNoTracking().Where(s => s.ShopId == shopId).OrderBy(s => s.Resource).ToListAsync(cancellationToken);
            var now = time.GetUtcNow();
            return new SyncProgress(states.Select(s => new ResourceProgress(
                s.Resource.ToString(), s.Status.ToString(), s.ObjectsDone, s.ObjectsExpected,
                s.StartedAt is { } started && s.ObjectsDone > 0 ? s.ObjectsDone / Math.Max(1, ((s.FinishedAt ?? now) - started).TotalSeconds) : null,
                s.StartedAt, s.FinishedAt, s.LastError)).ToList());
        });
        group.MapPost("/", async (ClaimsPrincipal user, WinBackDbContext db, IBackgroundJobClient jobs, CancellationToken cancellationToken) =>
        {
            var shopId = user.ShopId();
            var running = await db.SyncStates.AnyAsync(s => s.ShopId == shopId && s.Status == SyncStatus.Running, cancellationToken);
            if (running) return Results.Problem("A sync is already running for your shop. Its progress is shown above.", statusCode: StatusCodes.Status409Conflict);
            await ResetForNewExportAsync(db.SyncStates.Where(s => s.ShopId == shopId), cancellationToken);
            jobs.Enqueue<InitialSyncJob>(job => job.RunAsync(shopId, CancellationToken.None));
            return Results.Accepted("/api/sync");
        });
        return routes;
    }

    /// <summary>Queues the shop's full sync again when it had failed (after the merchant reconnects the app, say).</summary>
    /// <returns>Whether there was a failed sync to queue.</returns>
    public static async Task<bool> QueueFailedSyncAgainAsync(WinBackDbContext db, IBackgroundJobClient jobs, long shopId, CancellationToken cancellationToken)
    {
        if (await ResetForNewExportAsync(db.SyncStates.Where(s => s.ShopId == shopId && s.Status == SyncStatus.Failed), cancellationToken) == 0) return false;
        jobs.Enqueue<InitialSyncJob>(job => job.RunAsync(shopId, CancellationToken.None));
        return true;
    }

    // A new export each time: the one that failed may be what failed.
    private static Task<int> ResetForNewExportAsync(IQueryable<SyncState> states, CancellationToken cancellationToken) =>
        states.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SyncStatus.Queued)
            .SetProperty(x => x.BulkOperationId, (string?)null)
            .SetProperty(x => x.LastError, (string?)null), cancellationToken);
}
