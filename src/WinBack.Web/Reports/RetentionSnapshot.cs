using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Reports;

/// <summary>
/// Retention health (PRODUCT.md): active and inactive customers at the end of one completed week (weeks start on Monday
/// in the shop's calendar), computed from the stored orders with the threshold in <see cref="ThresholdWeeks"/>. The
/// current week is never stored: the report computes it live.
/// </summary>
public sealed class RetentionSnapshot
{
    public long ShopId { get; set; }
    public DateOnly WeekStart { get; set; }
    public int Active { get; set; }
    public int Inactive { get; set; }
    /// <summary>The threshold the row was computed with; rows of another threshold are stale and not shown.</summary>
    public int ThresholdWeeks { get; set; }
    public DateTimeOffset TakenAt { get; set; }
}

internal sealed class RetentionSnapshotConfiguration : IEntityTypeConfiguration<RetentionSnapshot>
{
    public void Configure(EntityTypeBuilder<RetentionSnapshot> snapshot)
    {
        snapshot.ToTable("retention_snapshots");
        snapshot.HasKey(s => new { s.ShopId, s.WeekStart });
        snapshot.HasOne<Shop>().WithMany().HasForeignKey(s => s.ShopId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Keeps a shop's weekly series current: rebuilt from every stored order after a sync, and whenever a week has ended
/// or the threshold moved since the last build. Safe to run any number of times: a rebuild replaces the shop's rows.
/// </summary>
public sealed class RetentionSnapshotJob(WinBackDbContext db, ReportScopes scopes, RetentionSeries series)
{
    /// <summary>The daily check: rebuilds only when the last completed week is missing or was built with another threshold.</summary>
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.AsNoTracking().SingleOrDefaultAsync(s => s.Id == shopId, cancellationToken);
        if (shop is not { IsInstalled: true }) return;
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var lastWeek = RetentionSeries.WeekStart(scope.Calendar.Today).AddDays(-7);
        var upToDate = await db.RetentionSnapshots.AnyAsync(s => s.ShopId == shopId && s.WeekStart == lastWeek && s.ThresholdWeeks == scope.ThresholdWeeks, cancellationToken);
        var hasOrders = await db.Customers.AnyAsync(c => c.ShopId == shopId && c.OrdersCount > 0, cancellationToken);
        if (!upToDate && hasOrders) await series.RebuildAsync(scope, cancellationToken);
    }

    /// <summary>After a sync: the orders may have changed anywhere in the shop's history.</summary>
    public async Task RebuildAsync(long shopId, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.AsNoTracking().SingleOrDefaultAsync(s => s.Id == shopId, cancellationToken);
        if (shop is not { IsInstalled: true }) return;
        await series.RebuildAsync(await scopes.LoadAsync(shopId, cancellationToken), cancellationToken);
    }
}

/// <summary>The daily fan-out: one check per installed shop.</summary>
public sealed class RetentionSnapshotDispatcher(WinBackDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringId = "reports:retention-snapshots";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shops = await db.Shops.Where(s => s.UninstalledAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<RetentionSnapshotJob>(job => job.RunAsync(shopId, CancellationToken.None));
    }
}
