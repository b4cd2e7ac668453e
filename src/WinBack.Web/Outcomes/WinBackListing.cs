using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Outcomes;

/// <summary>
/// A customer WinBack put in front of the merchant (in a digest or on a Google Sheet) during one inactive spell: the
/// spell is identified by the last order date it started from, so a customer listed every week until they come back is
/// one listing, and a customer who comes back and drifts away again is a new one. Outcomes are measured from the first
/// time they were listed.
/// </summary>
public sealed class WinBackListing
{
    public long ShopId { get; set; }
    public long CustomerId { get; set; }
    /// <summary>The last order date (shop calendar) the inactive spell started from.</summary>
    public DateOnly LastOrderOn { get; set; }
    public DateTimeOffset FirstListedAt { get; set; }
    /// <summary>The CLV x recency segment key when first listed.</summary>
    public required string Segment { get; set; }
    public bool InDigest { get; set; }
    public bool InSheet { get; set; }
}

internal sealed class WinBackListingConfiguration : IEntityTypeConfiguration<WinBackListing>
{
    public void Configure(EntityTypeBuilder<WinBackListing> listing)
    {
        listing.ToTable("winback_listings");
        listing.HasKey(l => new { l.ShopId, l.CustomerId, l.LastOrderOn });
        listing.HasOne<Shop>().WithMany().HasForeignKey(l => l.ShopId).OnDelete(DeleteBehavior.Cascade);
        listing.Property(l => l.Segment).HasMaxLength(32);
        listing.HasIndex(l => new { l.ShopId, l.FirstListedAt }).HasDatabaseName("ix_winback_listings_listed");
    }
}
