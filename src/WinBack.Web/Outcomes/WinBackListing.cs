using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Outcomes;

/// <summary>Every way WinBack puts a customer in front of the merchant (or, for tags, in front of Shopify's marketing tools).</summary>
[Flags]
public enum ListingChannels
{
    None = 0,
    Digest = 1,
    Sheet = 2,
    /// <summary>A CSV downloaded from the report page.</summary>
    Csv = 4,
    ScheduledReport = 8,
    Tags = 16,
}

/// <summary>
/// A customer WinBack listed (in a digest, on a Sheet, in a CSV, a scheduled report or a tag) during one inactive spell:
/// the spell is identified by the last order date it started from, so a customer listed every week until they come back
/// is one listing, and a customer who comes back and drifts away again is a new one. Outcomes are measured from the first
/// time they were listed. A customer of the control group is recorded the same way (<see cref="Control"/>), with the
/// channels they were held out of, so both groups are measured from the same moment.
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
    public ListingChannels Channels { get; set; }
    /// <summary>Held out of every channel by the control group; false as soon as any channel listed the customer for contact.</summary>
    public bool Control { get; set; }
}

internal sealed class WinBackListingConfiguration : IEntityTypeConfiguration<WinBackListing>
{
    public void Configure(EntityTypeBuilder<WinBackListing> listing)
    {
        listing.ToTable("winback_listings");
        listing.HasKey(l => new { l.ShopId, l.CustomerId, l.LastOrderOn });
        // No foreign key to shops on purpose: checking it once per row was a third of recording a CSV download of 770,000
        // customers (docs/BENCHMARKS.md). WinBackOutcomes.RecordAsync holds the shop's row once per list, as the key did,
        // and the statement trigger on shops deletes a deleted shop's listings, as its orders.
        listing.Property(l => l.Segment).HasMaxLength(32);
        listing.HasIndex(l => new { l.ShopId, l.FirstListedAt }).HasDatabaseName("ix_winback_listings_listed");
    }
}
