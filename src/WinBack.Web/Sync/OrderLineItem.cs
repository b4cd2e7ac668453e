using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Sync;

/// <summary>What an order contained: kept for the product analysis (what lost customers bought). No prices: totals live on the order.</summary>
public sealed class OrderLineItem
{
    public long ShopId { get; set; }
    public long OrderId { get; set; }
    public long Id { get; set; }
    public long? ProductId { get; set; }
    public required string Title { get; set; }
    public int Quantity { get; set; }
}

internal sealed class OrderLineItemConfiguration : IEntityTypeConfiguration<OrderLineItem>
{
    public void Configure(EntityTypeBuilder<OrderLineItem> item)
    {
        item.ToTable("order_line_items");
        item.HasKey(i => new { i.ShopId, i.OrderId, i.Id });
        item.Property(i => i.Id).ValueGeneratedNever();
        // No foreign key to orders on purpose: checking one per row doubled the time of a large first load
        // (docs/BENCHMARKS.md). SyncWriter, BulkImporter and PrivacyRequests delete line items with their orders.
        item.HasIndex(i => new { i.ShopId, i.ProductId }).HasDatabaseName("ix_order_line_items_product");
    }
}
