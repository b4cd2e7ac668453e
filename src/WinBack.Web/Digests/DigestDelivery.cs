using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>Where one email of the outbox stands.</summary>
public enum DeliveryStatus
{
    /// <summary>An attempt is under way since <see cref="DigestDelivery.AttemptStartedAt"/> (or died without recording how it ended).</summary>
    Sending,
    /// <summary>The mail server accepted the message (its answer to DATA); it is never sent again.</summary>
    Sent,
    /// <summary>The last attempt failed before the server accepted the message; the next one is due at <see cref="DigestDelivery.NextAttemptAt"/>.</summary>
    Retrying,
    /// <summary>Not sent by <see cref="DigestDelivery.GiveUpAt"/>; <see cref="DigestDelivery.LastError"/> says why.</summary>
    Abandoned,
}

/// <summary>
/// One email of one period (a digest of one local ISO week, an alert of one day, a report of its period, or a test
/// send): a row of the outbox, unique per (shop, kind, period), whose states and rules are those of <see cref="DeliveryOutbox"/>.
/// </summary>
public sealed class DigestDelivery
{
    public const string WeeklyDigest = "weekly-digest";
    public const string TestDigest = "test-digest";
    public const string HighValueAlert = "high-value-alert";

    private const string ScheduledReportPrefix = "report-";

    public static string ScheduledReport(long reportId) => ScheduledReportPrefix + reportId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The scheduled report a kind of <see cref="ScheduledReport(long)"/> names, or null for the other kinds.</summary>
    public static long? ReportIdOf(string kind) =>
        kind.StartsWith(ScheduledReportPrefix, StringComparison.Ordinal) ? long.Parse(kind[ScheduledReportPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture) : null;

    public long ShopId { get; set; }
    public required string Kind { get; set; }
    /// <summary>The local ISO week for a digest ("2026-W48"); a timestamp for a test send.</summary>
    public required string Period { get; set; }
    public DeliveryStatus Status { get; set; }
    public required string MessageId { get; set; }
    /// <summary>The job making the current (or the last) attempt.</summary>
    public required string ClaimedBy { get; set; }
    public List<string> Recipients { get; set; } = [];
    /// <summary>When the first attempt started.</summary>
    public DateTimeOffset ClaimedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset AttemptStartedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    /// <summary>The end of the lateness window (its hour plus <see cref="DigestDispatcher.MaxLateness"/>); none for a test send.</summary>
    public DateTimeOffset? GiveUpAt { get; set; }
    /// <summary>Why the last attempt failed, or why the email was abandoned, in words for the settings page.</summary>
    public string? LastError { get; set; }
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
        delivery.Property(d => d.LastError).HasMaxLength(1000);
        // The dispatcher looks for attempts to make every 15 minutes: only the few unfinished rows are in this index.
        delivery.HasIndex(d => d.Status).HasFilter("status IN ('Sending', 'Retrying')").HasDatabaseName("ix_digest_deliveries_unfinished");
    }
}
