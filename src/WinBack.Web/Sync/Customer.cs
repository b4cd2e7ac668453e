using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WinBack.Web.Sync;

/// <summary>
/// A shop's customer as synced from Shopify, with the rollups the report reads (PRODUCT.md definitions):
/// qualifying orders only (not test, not cancelled), totals in the shop currency after refunds.
/// </summary>
public sealed class Customer
{
    public long ShopId { get; set; }
    /// <summary>Shopify's numeric customer id (the tail of gid://shopify/Customer/{id}).</summary>
    public long Id { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Email { get; set; }
    /// <summary>Shopify's email marketing state: SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, INVALID.</summary>
    public string? EmailMarketingState { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Shopify's updatedAt: an older update never overwrites a newer one.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    public int OrdersCount { get; set; }
    public DateTimeOffset? FirstOrderAt { get; set; }
    public DateTimeOffset? LastOrderAt { get; set; }
    public decimal TotalSpent { get; set; }

    // Not mapped: the column rollups_changed_xid (xid8, indexed with the shop) holds the transaction that last changed the
    // rollups above; a refit rescores, as it writes, the customers changed by transactions its read could not see, and the
    // next refit reads from their orders those changed since the histories it kept (Predictions.CustomerChanges).
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> customer)
    {
        customer.ToTable("customers");
        customer.HasKey(c => new { c.ShopId, c.Id });
        customer.Property(c => c.Id).ValueGeneratedNever();
        // No foreign key to shops, like orders (see OrderConfiguration): the shops_deleted trigger removes them.
        // Names and emails are text without a length limit: a value Shopify accepted must never stop a sync or a webhook.
        customer.Property(c => c.EmailMarketingState).HasMaxLength(32);
        customer.Property(c => c.TotalSpent).HasPrecision(19, 4);

        // The report: inactive customers of one shop, longest gone first, optionally only the high-value ones.
        customer.HasIndex(c => new { c.ShopId, c.LastOrderAt, c.Id }).HasDatabaseName("ix_customers_inactive")
            .HasFilter("orders_count > 0").IncludeProperties(c => c.TotalSpent);
        // Keyset pages of the other sorts walk an index in either direction; the name and email sorts use expression
        // indexes created in the Initial migration's SQL (EF cannot express them).
        customer.HasIndex(c => new { c.ShopId, c.TotalSpent, c.Id }).HasDatabaseName("ix_customers_total_spent").HasFilter("orders_count > 0");
        customer.HasIndex(c => new { c.ShopId, c.OrdersCount, c.Id }).HasDatabaseName("ix_customers_orders_count").HasFilter("orders_count > 0");
        // The list of customers without orders, newest accounts first; its name and email sorts use expression indexes
        // of the CustomersWithoutOrdersIndexes migration.
        // The consent filter and its count read the marketing state from the index, not from the table.
        customer.HasIndex(c => new { c.ShopId, c.CreatedAt, c.Id }).HasDatabaseName("ix_customers_without_orders").HasFilter("orders_count = 0")
            .IncludeProperties(c => c.EmailMarketingState);
    }
}
