using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Reports;

namespace WinBack.Web.Digests;

public enum ReportFrequency
{
    Daily,
    Weekly,
    Monthly,
}

/// <summary>A saved view of the report emailed on its own schedule (an inline table and the CSV), once per period.</summary>
public sealed class ScheduledReport
{
    /// <summary>A shop's scheduled reports at most: each is an email a week or more to addresses the merchant types.</summary>
    public const int MaxPerShop = 20;

    public long ShopId { get; set; }
    public long Id { get; set; }
    public long SavedViewId { get; set; }
    public ReportFrequency Frequency { get; set; }
    /// <summary>The day of a weekly report; daily reports go every day, monthly ones on the 1st.</summary>
    public DayOfWeek Day { get; set; } = DayOfWeek.Monday;
    public int Hour { get; set; } = 8;
    public List<string> Recipients { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
}

internal sealed class ScheduledReportConfiguration : IEntityTypeConfiguration<ScheduledReport>
{
    public void Configure(EntityTypeBuilder<ScheduledReport> report)
    {
        report.ToTable("scheduled_reports", t => t.HasCheckConstraint("ck_scheduled_reports_hour", "hour BETWEEN 0 AND 23"));
        report.HasKey(r => new { r.ShopId, r.Id });
        report.Property(r => r.Id).UseIdentityAlwaysColumn();
        report.HasOne<SavedView>().WithMany().HasForeignKey(r => new { r.ShopId, r.SavedViewId }).OnDelete(DeleteBehavior.Cascade);
        report.Property(r => r.Frequency).HasConversion<string>().HasMaxLength(16);
        report.Property(r => r.Day).HasConversion<int>();
        report.Property(r => r.LastError).HasMaxLength(1000);
    }
}
