using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Settings;

public enum HighValueRule
{
    /// <summary>High value = total spent at or above this percentile of customers with orders (default: 80th, the top 20 %).</summary>
    Percentile,
    /// <summary>High value = total spent at or above a fixed amount in the shop currency.</summary>
    Amount,
}

/// <summary>What one merchant chose: the inactivity threshold and the high-value line.</summary>
public sealed class ShopSettings
{
    public const int DefaultInactivityThresholdWeeks = 4;
    public const int DefaultHighValuePercentile = 80;
    /// <summary>The largest high-value line; numeric(19,4) holds fifteen digits before the point.</summary>
    public const decimal MaxHighValueAmount = 1_000_000_000m;

    public long ShopId { get; set; }
    public int InactivityThresholdWeeks { get; set; } = DefaultInactivityThresholdWeeks;
    public HighValueRule HighValueRule { get; set; } = HighValueRule.Percentile;
    public int HighValuePercentile { get; set; } = DefaultHighValuePercentile;
    public decimal? HighValueAmount { get; set; }
    /// <summary>Data minimisation: customers whose last order is older than this many months are erased. Null (the default) = never.</summary>
    public int? RetentionMonths { get; set; }
    /// <summary>Whether WinBack holds a control group out of every list it sends (Outcomes/ControlGroup.cs). Off by default.</summary>
    public bool ControlGroupOn { get; set; }
    /// <summary>Chosen when the control group is first turned on and kept, so a customer's membership never changes.</summary>
    public string? ControlGroupSalt { get; set; }
    /// <summary>The report table's columns the merchant chose to show (Reports/ReportColumns.cs); null until they choose.</summary>
    public string[]? ReportColumns { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ShopSettingsConfiguration : IEntityTypeConfiguration<ShopSettings>
{
    public void Configure(EntityTypeBuilder<ShopSettings> settings)
    {
        settings.ToTable("shop_settings", t =>
        {
            t.HasCheckConstraint("ck_shop_settings_threshold", "inactivity_threshold_weeks BETWEEN 1 AND 104");
            t.HasCheckConstraint("ck_shop_settings_percentile", "high_value_percentile BETWEEN 1 AND 99");
            t.HasCheckConstraint("ck_shop_settings_retention", "retention_months BETWEEN 6 AND 120");
        });
        settings.HasKey(s => s.ShopId);
        settings.HasOne<Shop>().WithOne().HasForeignKey<ShopSettings>(s => s.ShopId).OnDelete(DeleteBehavior.Cascade);
        settings.Property(s => s.HighValueRule).HasConversion<string>().HasMaxLength(16);
        settings.Property(s => s.HighValueAmount).HasPrecision(19, 4);
        settings.Property(s => s.ControlGroupSalt).HasMaxLength(64);
    }
}

public static class ShopSettingsChanges
{
    /// <summary>The shop's settings row to change: the saved one, or a new one with the defaults when the merchant never saved any.</summary>
    public static async Task<ShopSettings> ShopSettingsToChangeAsync(this WinBackDbContext db, long shopId, CancellationToken cancellationToken)
    {
        var settings = await db.ShopSettings.SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        if (settings is null) db.ShopSettings.Add(settings = new ShopSettings { ShopId = shopId });
        return settings;
    }
}
