using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.ShopifyTags;

/// <summary>A shop's "tag customers in Shopify" switch (off by default) and how the last run went.</summary>
public sealed class ShopifyTagging
{
    public long ShopId { get; set; }
    public bool Enabled { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    public int TaggedCustomers { get; set; }
    public string? LastError { get; set; }
}

/// <summary>The one WinBack tag a customer carries in Shopify, as WinBack last wrote it: what the next run compares against.</summary>
public sealed class CustomerTag
{
    public long ShopId { get; set; }
    public long CustomerId { get; set; }
    public required string Tag { get; set; }
}

internal sealed class ShopifyTaggingConfiguration : IEntityTypeConfiguration<ShopifyTagging>
{
    public void Configure(EntityTypeBuilder<ShopifyTagging> tagging)
    {
        tagging.ToTable("shopify_taggings");
        tagging.HasKey(t => t.ShopId);
        tagging.HasOne<Shop>().WithOne().HasForeignKey<ShopifyTagging>(t => t.ShopId).OnDelete(DeleteBehavior.Cascade);
        tagging.Property(t => t.LastError).HasMaxLength(500);
    }
}

internal sealed class CustomerTagConfiguration : IEntityTypeConfiguration<CustomerTag>
{
    public void Configure(EntityTypeBuilder<CustomerTag> tag)
    {
        tag.ToTable("customer_tags");
        tag.HasKey(t => new { t.ShopId, t.CustomerId });
        tag.HasOne<Shop>().WithMany().HasForeignKey(t => t.ShopId).OnDelete(DeleteBehavior.Cascade);
        tag.Property(t => t.Tag).HasMaxLength(64);
    }
}
