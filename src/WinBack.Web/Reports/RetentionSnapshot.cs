using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Reports;

/// <summary>Retention health (PRODUCT.md): active and inactive customers as of one week, in the shop's calendar (weeks start on Monday).</summary>
public sealed class RetentionSnapshot
{
    public long ShopId { get; set; }
    public DateOnly WeekStart { get; set; }
    public int Active { get; set; }
    public int Inactive { get; set; }
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
/// Records this week's active / inactive counts for one shop. Safe to run any number of times: the week's row is
/// overwritten, so the figure kept for a week is the last one taken in it.
/// </summary>
public sealed class RetentionSnapshotJob(WinBackDbContext db, ReportScopes scopes, TimeProvider time)
{
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.AsNoTracking().SingleOrDefaultAsync(s => s.Id == shopId, cancellationToken);
        if (shop is not { IsInstalled: true }) return;
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var inactiveBefore = scope.Calendar.AtLeastWeeksAgo(scope.ThresholdWeeks);
        var counts = await db.Customers.Where(c => c.ShopId == shopId && c.OrdersCount > 0)
            .GroupBy(_ => 1)
            .Select(g => new { Inactive = g.Count(c => c.LastOrderAt < inactiveBefore), All = g.Count() })
            .SingleOrDefaultAsync(cancellationToken);
        var today = scope.Calendar.Today;
        var weekStart = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var active = (counts?.All ?? 0) - (counts?.Inactive ?? 0);
        var inactive = counts?.Inactive ?? 0;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO retention_snapshots (shop_id, week_start, active, inactive, taken_at)
            VALUES ({shopId}, {weekStart}, {active}, {inactive}, {time.GetUtcNow()})
            ON CONFLICT (shop_id, week_start) DO UPDATE SET active = excluded.active, inactive = excluded.inactive, taken_at = excluded.taken_at
            """, cancellationToken);
    }
}

/// <summary>The daily fan-out: one snapshot job per installed shop.</summary>
public sealed class RetentionSnapshotDispatcher(WinBackDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringId = "reports:retention-snapshots";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shops = await db.Shops.Where(s => s.UninstalledAt == null).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<RetentionSnapshotJob>(job => job.RunAsync(shopId, CancellationToken.None));
    }
}
