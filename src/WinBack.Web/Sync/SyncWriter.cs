using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Sync;

/// <summary>An order as the sync keeps it, whether it came by webhook (REST shape) or by reconciliation (GraphQL).
/// <see cref="LineItems"/> null means "not known here": the stored ones are kept.</summary>
public sealed record OrderRow(long Id, long? CustomerId, string Name, DateTimeOffset ProcessedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? CancelledAt, bool Test, decimal CurrentTotal, string CurrencyCode, IReadOnlyList<LineItemRow>? LineItems = null);

public sealed record LineItemRow(long Id, long? ProductId, string Title, int Quantity);

/// <summary>A customer as the sync keeps it. A null marketing state leaves the stored one as it is.</summary>
public sealed record CustomerRow(long Id, string? FirstName, string? LastName, string? Email, string? EmailMarketingState,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Writes incremental changes: a row is replaced only by one at least as new (updated_at), so changes can arrive in any
/// order and twice. Order upserts are collected and written set-based by <see cref="FlushAsync"/> (the newest version
/// of each order wins within a batch), and the rollups of every customer an order belonged to, before or after, are
/// recomputed there once, in the caller's transaction, with their predictions' scores. Other writes go out at once: a
/// caller that mixes them with order upserts flushes first to keep the order of events (<see cref="SyncWebhooks.ApplyAsync"/>).
/// A redacted customer (<see cref="WinBack.Web.Privacy.RedactedCustomer"/>) is never written again, nor linked to an order.
/// </summary>
public sealed class SyncWriter(WinBackDbContext db, CustomerRollups rollups, CustomerRescoring rescoring)
{
    private readonly Dictionary<(long ShopId, long OrderId), (OrderRow Order, CustomerRow? Customer)> _pendingOrders = [];
    private readonly Dictionary<long, HashSet<long>> _touched = [];

    /// <summary>Marks a customer whose rollups must be recomputed at the next flush.</summary>
    public void Touch(long shopId, long customerId)
    {
        if (!_touched.TryGetValue(shopId, out var customers)) _touched[shopId] = customers = [];
        customers.Add(customerId);
    }

    /// <summary>Upserts customers in one statement; of two versions of one customer, the newer is written.</summary>
    public async Task UpsertCustomersAsync(long shopId, IReadOnlyList<CustomerRow> customers, CancellationToken cancellationToken)
    {
        if (customers.Count == 0) return;
        var rows = customers.GroupBy(c => c.Id).Select(g => g.MaxBy(c => c.UpdatedAt)!).ToList();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
            SELECT {shopId}, c.id, c.first_name, c.last_name, c.email, c.email_marketing_state, c.created_at, c.updated_at, 0, 0
            FROM unnest({rows.Select(c => c.Id).ToArray()}, {rows.Select(c => c.FirstName).ToArray()}, {rows.Select(c => c.LastName).ToArray()},
                        {rows.Select(c => c.Email).ToArray()}, {rows.Select(c => c.EmailMarketingState).ToArray()},
                        {rows.Select(c => c.CreatedAt).ToArray()}, {rows.Select(c => c.UpdatedAt).ToArray()})
                 AS c(id, first_name, last_name, email, email_marketing_state, created_at, updated_at)
            WHERE NOT is_redacted_customer({shopId}, c.id)
            ON CONFLICT (shop_id, id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                email_marketing_state = coalesce(excluded.email_marketing_state, customers.email_marketing_state),
                created_at = excluded.created_at, updated_at = excluded.updated_at
            WHERE customers.updated_at <= excluded.updated_at
            """, cancellationToken);
    }

    /// <summary>Queues order upserts (with the customer each names, for a minimal row if the customer is not known yet).</summary>
    public void UpsertOrders(long shopId, string? shopCurrency, IEnumerable<(OrderRow Order, CustomerRow? Customer)> orders)
    {
        foreach (var (order, customer) in orders)
        {
            if (shopCurrency is not null && order.CurrencyCode != shopCurrency)
                throw new FormatException($"The order total is in {order.CurrencyCode}, not the shop currency {shopCurrency}.");
            var key = (shopId, order.Id);
            if (!_pendingOrders.TryGetValue(key, out var queued) || queued.Order.UpdatedAt <= order.UpdatedAt)
                _pendingOrders[key] = (order, customer);
        }
    }

    public async Task DeleteOrderAsync(long shopId, long orderId, CancellationToken cancellationToken)
    {
        var customerId = await db.Orders.Where(o => o.ShopId == shopId && o.Id == orderId).Select(o => o.CustomerId).SingleOrDefaultAsync(cancellationToken);
        await db.OrderLineItems.Where(li => li.ShopId == shopId && li.OrderId == orderId).ExecuteDeleteAsync(cancellationToken);
        await db.Orders.Where(o => o.ShopId == shopId && o.Id == orderId).ExecuteDeleteAsync(cancellationToken);
        if (customerId is { } customer) Touch(shopId, customer);
    }

    /// <summary>
    /// A customer deleted in Shopify: their row and scores go, their orders stay as guest orders. In the caller's
    /// transaction (the webhook batch's), which holds off a refit's swap: its catch-up removes the scores of customers
    /// deleted since the refit's read (logged by a trigger, <see cref="Predictions.CustomerChanges"/>), and a deletion
    /// committing between its steps would go unseen.
    /// </summary>
    public async Task DeleteCustomerAsync(long shopId, long customerId, CancellationToken cancellationToken)
    {
        await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
        await db.Orders.Where(o => o.ShopId == shopId && o.CustomerId == customerId).ExecuteUpdateAsync(o => o.SetProperty(x => x.CustomerId, (long?)null), cancellationToken);
        await db.Customers.Where(c => c.ShopId == shopId && c.Id == customerId).ExecuteDeleteAsync(cancellationToken);
        // Orders, then the customer, then the scores: the order every writer of them locks in (a flush's rescoring writes the
        // scores after the orders and the customer's row), so two batches cannot wait on each other. The shop as a constant,
        // so the delete is planned on the shop's partition alone (CustomerPredictionPartitions.ScoresOf).
        var deleteScores = $"DELETE FROM {CustomerPredictionPartitions.Table} WHERE shop_id = {CustomerPredictionPartitions.ShopIdSql(shopId)} AND customer_id = {{0}}";
        await db.Database.ExecuteSqlRawAsync(deleteScores, [customerId], cancellationToken);
    }

    /// <summary>
    /// Writes the queued orders and recomputes every touched customer's rollups and scores, in one transaction: the
    /// caller's (a webhook batch's) or, for a caller without one (reconciliation), its own. Its rollups' change and the
    /// hold-off of a refit's swap that comes with it then last until the scores are written too.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken) => db.Database.InTransactionAsync(() => WritePendingAsync(cancellationToken), cancellationToken);

    private async Task WritePendingAsync(CancellationToken cancellationToken)
    {
        foreach (var shop in _pendingOrders.GroupBy(p => p.Key.ShopId).ToList())
            await WriteOrdersAsync(shop.Key, shop.Select(p => p.Value).ToList(), cancellationToken);
        _pendingOrders.Clear();
        foreach (var (shopId, customers) in _touched)
        {
            await rollups.RecomputeAsync(shopId, customers, cancellationToken);
            await rescoring.RescoreAsync(shopId, customers, cancellationToken);
        }
        _touched.Clear();
    }

    private async Task WriteOrdersAsync(long shopId, List<(OrderRow Order, CustomerRow? Customer)> rows, CancellationToken cancellationToken)
    {
        var customers = rows.Where(r => r.Customer is not null).Select(r => r.Customer!).DistinctBy(c => c.Id).ToList();
        if (customers.Count > 0)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO customers (shop_id, id, first_name, last_name, email, created_at, updated_at, orders_count, total_spent)
                SELECT {shopId}, c.id, c.first_name, c.last_name, c.email, c.created_at, c.updated_at, 0, 0
                FROM unnest({customers.Select(c => c.Id).ToArray()}, {customers.Select(c => c.FirstName).ToArray()}, {customers.Select(c => c.LastName).ToArray()},
                            {customers.Select(c => c.Email).ToArray()}, {customers.Select(c => c.CreatedAt).ToArray()}, {customers.Select(c => c.UpdatedAt).ToArray()})
                     AS c(id, first_name, last_name, email, created_at, updated_at)
                WHERE NOT is_redacted_customer({shopId}, c.id)
                ON CONFLICT (shop_id, id) DO NOTHING
                """, cancellationToken);
        }

        var orders = rows.Select(r => r.Order).ToList();
        var ids = orders.Select(o => o.Id).ToArray();
        var previous = await db.Orders.Where(o => o.ShopId == shopId && ids.Contains(o.Id) && o.CustomerId != null).Select(o => o.CustomerId!.Value).ToListAsync(cancellationToken);
        var applied = await db.Database.SqlQuery<long>($"""
            INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
            SELECT {shopId}, o.id,
                   CASE WHEN is_redacted_customer({shopId}, o.customer_id) THEN NULL ELSE o.customer_id END,
                   o.name, o.processed_at, o.updated_at, o.cancelled_at, o.test, o.current_total, o.currency_code
            FROM unnest({ids}, {orders.Select(o => o.CustomerId).ToArray()}, {orders.Select(o => o.Name).ToArray()}, {orders.Select(o => o.ProcessedAt).ToArray()},
                        {orders.Select(o => o.UpdatedAt).ToArray()}, {orders.Select(o => o.CancelledAt).ToArray()}, {orders.Select(o => o.Test).ToArray()},
                        {orders.Select(o => o.CurrentTotal).ToArray()}, {orders.Select(o => o.CurrencyCode).ToArray()})
                 AS o(id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
            ON CONFLICT (shop_id, id) DO UPDATE SET
                customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
            WHERE orders.updated_at <= excluded.updated_at
            RETURNING id AS "Value"
            """).ToListAsync(cancellationToken);
        await ReplaceLineItemsAsync(shopId, orders.Where(o => o.LineItems is not null && applied.Contains(o.Id)).ToList(), cancellationToken);
        foreach (var customer in previous) Touch(shopId, customer);
        foreach (var order in orders) if (order.CustomerId is { } customer) Touch(shopId, customer);
    }

    /// <summary>Line items of orders whose newer version was just written replace the stored ones.</summary>
    private async Task ReplaceLineItemsAsync(long shopId, List<OrderRow> orders, CancellationToken cancellationToken)
    {
        if (orders.Count == 0) return;
        var orderIds = orders.Select(o => o.Id).ToArray();
        await db.OrderLineItems.Where(li => li.ShopId == shopId && orderIds.Contains(li.OrderId)).ExecuteDeleteAsync(cancellationToken);
        var items = orders.SelectMany(o => o.LineItems!.Select(li => (OrderId: o.Id, Item: li))).ToList();
        if (items.Count == 0) return;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO order_line_items (shop_id, order_id, id, product_id, title, quantity)
            SELECT {shopId}, li.order_id, li.id, li.product_id, li.title, li.quantity
            FROM unnest({items.Select(i => i.OrderId).ToArray()}, {items.Select(i => i.Item.Id).ToArray()}, {items.Select(i => i.Item.ProductId).ToArray()},
                        {items.Select(i => i.Item.Title).ToArray()}, {items.Select(i => i.Item.Quantity).ToArray()})
                 AS li(order_id, id, product_id, title, quantity)
            ON CONFLICT DO NOTHING
            """, cancellationToken);
    }
}
