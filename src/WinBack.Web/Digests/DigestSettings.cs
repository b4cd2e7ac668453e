using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>A shop's weekly digest: who gets it, when (in the shop's timezone), and with or without the CSV.</summary>
public sealed class DigestSettings
{
    public const DayOfWeek DefaultDay = DayOfWeek.Monday;
    public const int DefaultHour = 8;
    public const int MaxRecipients = 10;

    public long ShopId { get; set; }
    public bool Enabled { get; set; }
    /// <summary>Addresses the merchant entered; the digest goes to these and nobody else.</summary>
    public List<string> Recipients { get; set; } = [];
    public DayOfWeek Day { get; set; } = DefaultDay;
    public int Hour { get; set; } = DefaultHour;
    public bool AttachCsv { get; set; }
    /// <summary>A short email, at most once a day (at the digest's hour), when high-value customers cross the threshold. Off by default.</summary>
    public bool AlertsEnabled { get; set; }
    /// <summary>The last day (an alert's period) on which no high-value customer reached the threshold: the dispatcher does
    /// not ask again every quarter hour. Cleared when the shop's data changes (the report data version's bump, in the
    /// database) or its settings are saved: that day is asked again.</summary>
    public string? AlertQuietDay { get; set; }
    /// <summary>
    /// No longer written: each email's state and error are on its delivery (<see cref="DeliveryOutbox"/>). Kept while the
    /// servers of the previous release may still run during a deploy; to be dropped in the next one.
    /// </summary>
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class DigestSettingsConfiguration : IEntityTypeConfiguration<DigestSettings>
{
    public void Configure(EntityTypeBuilder<DigestSettings> settings)
    {
        settings.ToTable("digest_settings", t => t.HasCheckConstraint("ck_digest_settings_hour", "hour BETWEEN 0 AND 23"));
        settings.HasKey(s => s.ShopId);
        settings.HasOne<Shop>().WithOne().HasForeignKey<DigestSettings>(s => s.ShopId).OnDelete(DeleteBehavior.Cascade);
        settings.Property(s => s.Day).HasConversion<int>();
        settings.Property(s => s.LastError).HasMaxLength(1000);
        settings.Property(s => s.AlertQuietDay).HasMaxLength(10);
    }
}
