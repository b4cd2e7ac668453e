using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Sync;

public enum SyncResource { Customers, Orders }

public enum SyncStatus { Idle, Queued, Running, Completed, Failed }

/// <summary>Where one shop's sync of one resource stands: the bulk operation it waits on, progress, and the watermark
/// from which reconciliation asks Shopify for changes.</summary>
public sealed class SyncState
{
    public long ShopId { get; set; }
    public SyncResource Resource { get; set; }
    public SyncStatus Status { get; set; } = SyncStatus.Idle;
    public string? BulkOperationId { get; set; }
    public long ObjectsDone { get; set; }
    public long? ObjectsExpected { get; set; }
    /// <summary>Everything Shopify changed before this moment is in our copy.</summary>
    public DateTimeOffset? Watermark { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? LastError { get; set; }
}

internal sealed class SyncStateConfiguration : IEntityTypeConfiguration<SyncState>
{
    public void Configure(EntityTypeBuilder<SyncState> state)
    {
        state.ToTable("sync_states");
        state.HasKey(s => new { s.ShopId, s.Resource });
        state.HasOne<Shop>().WithMany().HasForeignKey(s => s.ShopId).OnDelete(DeleteBehavior.Cascade);
        state.Property(s => s.Resource).HasConversion<string>().HasMaxLength(16);
        state.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        state.Property(s => s.BulkOperationId).HasMaxLength(128);
        state.Property(s => s.LastError).HasMaxLength(2000);
    }
}
