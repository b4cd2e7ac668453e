using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WinBack.Web.Shops;

namespace WinBack.Web.Privacy;

/// <summary>
/// A customer Shopify asked us to forget (customers/redact): only the id, so that nothing brings them back. A full
/// re-sync's export taken before the request, or a late webhook about one of their orders, would otherwise write their
/// name, email and order links again; every write of customers and orders leaves these ids out, through the SQL function
/// <c>is_redacted_customer(shop_id, customer_id)</c> (migration RedactedCustomers).
/// The rows go with the shop (shop/redact, uninstall clean-up).
/// </summary>
public sealed class RedactedCustomer
{
    public long ShopId { get; set; }
    public long CustomerId { get; set; }
    public DateTimeOffset RedactedAt { get; set; }
}

internal sealed class RedactedCustomerConfiguration : IEntityTypeConfiguration<RedactedCustomer>
{
    public void Configure(EntityTypeBuilder<RedactedCustomer> redacted)
    {
        redacted.ToTable("redacted_customers");
        redacted.HasKey(r => new { r.ShopId, r.CustomerId });
        redacted.HasOne<Shop>().WithMany().HasForeignKey(r => r.ShopId).OnDelete(DeleteBehavior.Cascade);
    }
}
