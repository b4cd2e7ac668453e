using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Sheets;

public enum SheetSyncFrequency
{
    /// <summary>Once a day, from 06:00 in the shop's timezone.</summary>
    Daily,
    Hourly,
    /// <summary>After each full sync and each hourly reconciliation of the shop's data.</summary>
    AfterSync,
}

/// <summary>A tab of a merchant's spreadsheet that WinBack rewrites with a view of the report (default: every inactive customer).</summary>
public sealed class SheetSync
{
    public const int PauseAfterFailures = 5;

    /// <summary>A shop's Sheet syncs at most: every run spends the one Google quota all shops share.</summary>
    public const int MaxPerShop = 10;

    public long ShopId { get; set; }
    public long Id { get; set; }
    public required string SpreadsheetId { get; set; }
    public required string TabName { get; set; }
    /// <summary>A saved view's filter; null means the whole inactive list.</summary>
    public long? SavedViewId { get; set; }
    public SheetSyncFrequency Frequency { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public int RowsWritten { get; set; }
    /// <summary>The last failure in words (not shared, deleted, quota, too many cells); cleared by a success.</summary>
    public string? LastError { get; set; }
    public int ConsecutiveFailures { get; set; }
    /// <summary>Set after <see cref="PauseAfterFailures"/> failed runs in a row: no more runs until the merchant fixes and resumes it.</summary>
    public bool Paused { get; set; }

    /// <summary>The one-time code the merchant types into the spreadsheet to prove it is theirs; null once proved.</summary>
    public string? VerificationCode { get; set; }
    public DateTimeOffset? VerificationCodeExpiresAt { get; set; }
    /// <summary>When the merchant proved the spreadsheet is theirs. Until then WinBack never writes to it.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>Bumped in the transaction of every erasure of the shop's customers; the tab is clean of them once
    /// <see cref="RedactionsApplied"/> catches up.</summary>
    public long RedactionsRequested { get; set; }
    /// <summary>The <see cref="RedactionsRequested"/> a run read before its data: every erasure up to it is gone from the tab.</summary>
    public long RedactionsApplied { get; set; }
}

/// <summary>When a customer was first written to a sync's tab: the "listed since" column, kept across runs.</summary>
public sealed class SheetListing
{
    public long ShopId { get; set; }
    public long SyncId { get; set; }
    public long CustomerId { get; set; }
    public DateOnly ListedSince { get; set; }
}

internal sealed class SheetSyncConfiguration : IEntityTypeConfiguration<SheetSync>, IEntityTypeConfiguration<SheetListing>
{
    public void Configure(EntityTypeBuilder<SheetSync> sync)
    {
        sync.ToTable("sheet_syncs");
        sync.HasKey(s => new { s.ShopId, s.Id });
        sync.Property(s => s.Id).UseIdentityAlwaysColumn();
        sync.HasOne<Shop>().WithMany().HasForeignKey(s => s.ShopId).OnDelete(DeleteBehavior.Cascade);
        sync.Property(s => s.SpreadsheetId).HasMaxLength(128);
        sync.Property(s => s.TabName).HasMaxLength(100);
        sync.Property(s => s.LastError).HasMaxLength(1000);
        sync.Property(s => s.Frequency).HasConversion<string>().HasMaxLength(16);
        sync.Property(s => s.VerificationCode).HasMaxLength(32);
        // Who proved a tab (SheetEndpoints checks it before a shop takes one). Not unique: a unique index across shops could
        // not be enforced once shops are spread over nodes; the check runs under a lock of the tab's name instead.
        sync.HasIndex(s => new { s.SpreadsheetId, s.TabName }).HasFilter("verified_at IS NOT NULL");
    }

    public void Configure(EntityTypeBuilder<SheetListing> listing)
    {
        listing.ToTable("sheet_listings");
        listing.HasKey(l => new { l.ShopId, l.SyncId, l.CustomerId });
        listing.HasOne<SheetSync>().WithMany().HasForeignKey(l => new { l.ShopId, l.SyncId }).OnDelete(DeleteBehavior.Cascade);
    }
}
