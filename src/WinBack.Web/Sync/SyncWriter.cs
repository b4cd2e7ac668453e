using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>An order as the sync keeps it, whether it came by webhook (REST shape) or by reconciliation (GraphQL).</summary>
public sealed record OrderRow(long Id, long? CustomerId, string Name, DateTimeOffset ProcessedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? CancelledAt, bool Test, decimal CurrentTotal, string CurrencyCode);

/// <summary>A customer as the sync keeps it. A null marketing state leaves the stored one as it is.</summary>
public sealed record CustomerRow(long Id, string? FirstName, string? LastName, string? Email, string? EmailMarketingState,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Writes incremental changes: a row is replaced only by one at least as new (updated_at), so changes can arrive in any
/// order and twice. Every customer an order belonged to, before or after, is remembered, and <see cref="FlushRollupsAsync"/>
/// recomputes their rollups once for a whole batch, in the same transaction as the writes.
/// </summary>
public sealed class SyncWriter(WinBackDbContext db, CustomerRollups rollups)
{
    private readonly Dictionary<long, HashSet<long>> _touched = [];

    /// <summary>Marks a customer whose rollups must be recomputed at the next flush.</summary>
    public void Touch(long shopId, long customerId)
    {
        if (!_touched.TryGetValue(shopId, out var customers)) _touched[shopId] = customers = [];
        customers.Add(customerId);
    }

    public async Task FlushRollupsAsync(CancellationToken cancellationToken)
    {
        foreach (var (shopId, customers) in _touched) await rollups.RecomputeAsync(shopId, customers, cancellationToken);
        _touched.Clear();
    }

    public async Task UpsertCustomersAsync(long shopId, IReadOnlyList<CustomerRow> customers, CancellationToken cancellationToken)
    {
        foreach (var c in customers)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
                VALUES ({shopId}, {c.Id}, {c.FirstName}, {c.LastName}, {c.Email}, {c.EmailMarketingState}, {c.CreatedAt}, {c.UpdatedAt}, 0, 0)
                ON CONFLICT (shop_id, id) DO UPDATE SET
                    first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                    email_marketing_state = coalesce(excluded.email_marketing_state, customers.email_marketing_state),
                    created_at = excluded.created_at, updated_at = excluded.updated_at
                WHERE customers.updated_at <= excluded.updated_at
                """, cancellationToken);
        }
    }

    /// <summary>Upserts orders (with a minimal row for a customer not seen yet) and remembers the customers they touch.</summary>
    public async Task UpsertOrdersAsync(long shopId, string? shopCurrency, IReadOnlyList<(OrderRow Order, CustomerRow? Customer)> orders, CancellationToken cancellationToken)
    {
        foreach (var (o, customer) in orders)
        {
            if (shopCurrency is not null && o.CurrencyCode != shopCurrency)
                throw new FormatException($"The order total is in {o.CurrencyCode}, not the shop currency {shopCurrency}.");
            if (customer is not null)
            {
                await db.Database.ExecuteSqlInterpolatedAsync($"""
                    INSERT INTO customers (shop_id, id, first_name, last_name, email, created_at, updated_at, orders_count, total_spent)
                    VALUES ({shopId}, {customer.Id}, {customer.FirstName}, {customer.LastName}, {customer.Email}, {customer.CreatedAt}, {customer.UpdatedAt}, 0, 0)
                    ON CONFLICT (shop_id, id) DO NOTHING
                    """, cancellationToken);
            }
            var previous = await db.Orders.Where(x => x.ShopId == shopId && x.Id == o.Id).Select(x => x.CustomerId).SingleOrDefaultAsync(cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
                VALUES ({shopId}, {o.Id}, {o.CustomerId}, {o.Name}, {o.ProcessedAt}, {o.UpdatedAt}, {o.CancelledAt}, {o.Test}, {o.CurrentTotal}, {o.CurrencyCode})
                ON CONFLICT (shop_id, id) DO UPDATE SET
                    customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                    cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
                WHERE orders.updated_at <= excluded.updated_at
                """, cancellationToken);
            if (previous is { } p) Touch(shopId, p);
            if (o.CustomerId is { } c) Touch(shopId, c);
        }
    }
}
