using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Privacy;

/// <summary>
/// A customers/data_request from Shopify: the data WinBack holds on that customer, compiled when the request arrives,
/// for the merchant to download (Shopify does not collect it; the merchant passes it on within 30 days).
/// </summary>
public sealed class CustomerDataRequest
{
    public required string ShopDomain { get; set; }
    /// <summary>Shopify's data_request.id.</summary>
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    /// <summary>When the merchant first downloaded the export (null: not yet, so the app still reminds them).</summary>
    public DateTimeOffset? DownloadedAt { get; set; }
    /// <summary>The compiled export, as JSON.</summary>
    public required string Export { get; set; }
}

internal sealed class CustomerDataRequestConfiguration : IEntityTypeConfiguration<CustomerDataRequest>
{
    public void Configure(EntityTypeBuilder<CustomerDataRequest> request)
    {
        request.ToTable("customer_data_requests");
        request.HasKey(r => new { r.ShopDomain, r.Id });
        request.Property(r => r.Id).ValueGeneratedNever();
        request.Property(r => r.ShopDomain).HasMaxLength(255);
        request.Property(r => r.Export).HasColumnType("jsonb");
    }
}
