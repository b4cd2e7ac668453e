using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Sync;

/// <summary>A shop's order as synced from Shopify: only what the definitions and rollups need.</summary>
public sealed class Order
{
    public long ShopId { get; set; }
    public long Id { get; set; }
    /// <summary>Null for a guest checkout: the order then belongs to no customer.</summary>
    public long? CustomerId { get; set; }
    public required string Name { get; set; }
    /// <summary>The order date (Shopify's processedAt, which imports may back-date).</summary>
    public DateTimeOffset ProcessedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public bool Test { get; set; }
    /// <summary>currentTotalPriceSet.shopMoney: after refunds and edits, in the shop currency.</summary>
    public decimal CurrentTotal { get; set; }
    public required string CurrencyCode { get; set; }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
    {
        order.ToTable("orders");
        order.HasKey(o => new { o.ShopId, o.Id });
        order.Property(o => o.Id).ValueGeneratedNever();
        // No foreign key to shops on purpose: checking it once per row doubled the time of a first load's COPY
        // (docs/BENCHMARKS.md). A statement trigger on shops deletes a deleted shop's orders, line items and customers.
        // Unbounded text like every name Shopify sends: a merchant's prefix and suffix make order names of any length.
        order.Property(o => o.CurrentTotal).HasPrecision(19, 4);
        order.Property(o => o.CurrencyCode).HasMaxLength(3).IsFixedLength();

        // Rolling one customer's qualifying orders up (count, first, last, sum) reads only this index.
        order.HasIndex(o => new { o.ShopId, o.CustomerId, o.ProcessedAt }).HasDatabaseName("ix_orders_customer_qualifying")
            .HasFilter(QualifyingOrders.Sql).IncludeProperties(o => o.CurrentTotal);
        // No index on updated_at: nothing reads orders by it (the newer-wins check is on the row found by key), and each
        // index costs every order write, a first load's million most of all.
    }
}
