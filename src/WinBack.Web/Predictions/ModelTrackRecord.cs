using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Predictions;

/// <summary>
/// What one refit's holdout check found (WinBack.Analytics.HoldoutEvaluation): the model fitted on the shop's orders up to
/// 13 weeks before the refit, against what customers did since. One row per refit date, kept for a year, so the merchant
/// sees the record over time. <see cref="Record"/> holds the whole TrackRecord (JSON) for the About panel; the summary
/// columns draw the history. Without a record (a shop too young), <see cref="Explanation"/> says why.
/// </summary>
public sealed class ModelTrackRecord
{
    public const int KeptWeeks = 53;

    public long ShopId { get; set; }
    /// <summary>The refit's date: the holdout's last day.</summary>
    public DateOnly HoldoutEnd { get; set; }
    public DateOnly CalibrationEnd { get; set; }
    public DateTimeOffset CheckedAt { get; set; }
    public string? ModelName { get; set; }
    public double? PredictedPurchases { get; set; }
    public int? ActualPurchases { get; set; }
    public double? ModelAuc { get; set; }
    public double? RuleAuc { get; set; }
    public double? ModelBrier { get; set; }
    public double? RuleBrier { get; set; }
    public string? Record { get; set; }
    public string? Explanation { get; set; }
}

internal sealed class ModelTrackRecordConfiguration : IEntityTypeConfiguration<ModelTrackRecord>
{
    public void Configure(EntityTypeBuilder<ModelTrackRecord> record)
    {
        record.ToTable("model_track_records");
        record.HasKey(r => new { r.ShopId, r.HoldoutEnd });
        record.HasOne<Shop>().WithMany().HasForeignKey(r => r.ShopId).OnDelete(DeleteBehavior.Cascade);
        record.Property(r => r.ModelName).HasMaxLength(20);
        record.Property(r => r.Record).HasColumnType("jsonb");
        record.Property(r => r.Explanation).HasMaxLength(500);
    }
}
