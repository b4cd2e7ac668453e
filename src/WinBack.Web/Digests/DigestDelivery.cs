using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

public enum DeliveryStatus
{
    /// <summary>Claimed with its Message-Id; the send may or may not have happened (a crash in between).</summary>
    Sending,
    Sent,
}

/// <summary>
/// One email of one period (a digest of one local ISO week, or a test send). The unique (shop, kind, period) row is the
/// claim: whoever inserts it sends; it is written before the send with the Message-Id, so a retry after a crash between
/// send and record sends the same Message-Id again (mail clients show one message), and marked Sent after.
/// </summary>
public sealed class DigestDelivery
{
    public const string WeeklyDigest = "weekly-digest";
    public const string TestDigest = "test-digest";
    public const string HighValueAlert = "high-value-alert";

    public static string ScheduledReport(long reportId) => $"report-{reportId}";

    public long ShopId { get; set; }
    public required string Kind { get; set; }
    /// <summary>The local ISO week for a digest ("2026-W48"); a timestamp for a test send.</summary>
    public required string Period { get; set; }
    public DeliveryStatus Status { get; set; }
    public required string MessageId { get; set; }
    /// <summary>The Hangfire job that claimed it: only that job (retried) may send again under this claim.</summary>
    public required string ClaimedBy { get; set; }
    public List<string> Recipients { get; set; } = [];
    public DateTimeOffset ClaimedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>The figures sent (segment counts and revenue at stake), so next week's digest can show the change.</summary>
    public string? Figures { get; set; }
}

internal sealed class DigestDeliveryConfiguration : IEntityTypeConfiguration<DigestDelivery>
{
    public void Configure(EntityTypeBuilder<DigestDelivery> delivery)
    {
        delivery.ToTable("digest_deliveries");
        delivery.HasKey(d => new { d.ShopId, d.Kind, d.Period });
        delivery.HasOne<Shop>().WithMany().HasForeignKey(d => d.ShopId).OnDelete(DeleteBehavior.Cascade);
        delivery.Property(d => d.Kind).HasMaxLength(32);
        delivery.Property(d => d.Period).HasMaxLength(32);
        delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        delivery.Property(d => d.MessageId).HasMaxLength(255);
        delivery.Property(d => d.ClaimedBy).HasMaxLength(64);
        delivery.Property(d => d.Figures).HasColumnType("jsonb");
    }
}
