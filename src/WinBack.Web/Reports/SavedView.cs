using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Reports;

/// <summary>A filter of the Inactive Customers report saved under a name: what scheduled reports and Sheet syncs use.</summary>
public sealed class SavedView
{
    public long ShopId { get; set; }
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The filter's canonical query string (<see cref="InactiveCustomersFilter.ToQueryString"/>).</summary>
    public required string Query { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public const int MaxNameLength = 60;
    public const int MaxQueryLength = 1000;

    public void Configure(EntityTypeBuilder<SavedView> view)
    {
        view.ToTable("saved_views");
        view.HasKey(v => new { v.ShopId, v.Id });
        view.Property(v => v.Id).UseIdentityAlwaysColumn();
        view.HasIndex(v => new { v.ShopId, v.Name }).IsUnique();
        view.Property(v => v.Name).HasMaxLength(MaxNameLength);
        view.Property(v => v.Query).HasMaxLength(MaxQueryLength);
        view.HasOne<Shop>().WithMany().HasForeignKey(v => v.ShopId).OnDelete(DeleteBehavior.Cascade);
    }
}
