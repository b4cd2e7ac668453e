using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Sync;

/// <summary>
/// Recomputes customers' rollups from their qualifying orders (PRODUCT.md: not test, not cancelled, has a customer):
/// orders count, first and last order, total spent in shop currency after refunds. The full recompute after a sync and
/// the incremental one after a webhook compute the same thing; rows already right are not rewritten. A refit's swap reads
/// the rollups to catch up with what changed while it computed: every change of them waits for a swap in progress and
/// holds off the next one until it commits (<see cref="CustomerPredictionPartitions.HoldOffSwapAsync"/>).
/// </summary>
public sealed class CustomerRollups(WinBackDbContext db)
{
    /// <summary>The rollups of every customer of shop <c>@shop</c> with a qualifying order: customer_id, orders_count,
    /// first_order_at, last_order_at, total_spent. Customers without one have no row (their rollups are 0 and null).</summary>
    internal const string QualifyingTotalsOfShop = $"""
        SELECT customer_id, count(*)::int AS orders_count, min(processed_at) AS first_order_at, max(processed_at) AS last_order_at,
               sum(current_total) AS total_spent
        FROM orders
        WHERE shop_id = @shop AND {QualifyingOrders.Sql}
        GROUP BY customer_id
        """;

    /// <summary>
    /// Recomputes every customer of the shop (after a sync resumed past its merge, or by the operator's command), in a
    /// transaction of its own unless the caller has one.
    /// </summary>
    public Task<int> RecomputeShopAsync(long shopId, CancellationToken cancellationToken) => db.Database.InTransactionAsync(async () =>
    {
        await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
        return await db.Database.ExecuteSqlRawAsync($"""
            WITH target AS (
                SELECT c.id, coalesce(r.orders_count, 0) AS n, r.first_order_at AS first_at, r.last_order_at AS last_at, coalesce(r.total_spent, 0) AS total
                FROM customers c LEFT JOIN ({QualifyingTotalsOfShop}) r ON r.customer_id = c.id
                WHERE c.shop_id = @shop)
            UPDATE customers c
            SET orders_count = t.n, first_order_at = t.first_at, last_order_at = t.last_at, total_spent = t.total, rollups_changed_xid = pg_current_xact_id()
            FROM target t
            WHERE c.shop_id = @shop AND c.id = t.id
              AND (c.orders_count, c.first_order_at, c.last_order_at, c.total_spent) IS DISTINCT FROM (t.n, t.first_at, t.last_at, t.total)
            """, [new NpgsqlParameter("shop", shopId)], cancellationToken);
    }, cancellationToken);

    /// <summary>
    /// Recomputes these customers' rollups from their orders. Their rows are locked first, in id order, in a statement of
    /// their own: another transaction changing the same customers' orders (a second webhook worker, a reconciliation) is
    /// waited for, and the recompute, a later statement, then reads its committed orders instead of writing totals from
    /// before it (READ COMMITTED takes a snapshot per statement). Later statements of the caller's transaction (the
    /// rescoring) read them too.
    /// </summary>
    public async Task<int> RecomputeAsync(long shopId, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return 0;
        var ids = customerIds.Order().ToArray();
        await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
        // Row by row through the primary key, in the order given (a filter on the shop's whole key range would walk all of it).
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            SELECT 1 FROM unnest({ids}) WITH ORDINALITY AS i(id, n) JOIN customers c ON c.shop_id = {shopId} AND c.id = i.id
            ORDER BY i.n FOR NO KEY UPDATE OF c
            """, cancellationToken);
        return await db.Database.ExecuteSqlRawAsync($"""
            WITH target AS (
                SELECT c.id, r.n, r.first_at, r.last_at, r.total
                FROM customers c
                CROSS JOIN LATERAL (
                    SELECT count(*)::int AS n, min(o.processed_at) AS first_at, max(o.processed_at) AS last_at, coalesce(sum(o.current_total), 0) AS total
                    FROM orders o
                    WHERE o.shop_id = c.shop_id AND o.customer_id = c.id AND {QualifyingOrders.Sql}) r
                WHERE c.shop_id = @shop AND c.id = ANY(@ids))
            UPDATE customers c
            SET orders_count = t.n, first_order_at = t.first_at, last_order_at = t.last_at, total_spent = t.total, rollups_changed_xid = pg_current_xact_id()
            FROM target t
            WHERE c.shop_id = @shop AND c.id = t.id
              AND (c.orders_count, c.first_order_at, c.last_order_at, c.total_spent) IS DISTINCT FROM (t.n, t.first_at, t.last_at, t.total)
            """, [new NpgsqlParameter("shop", shopId), new NpgsqlParameter("ids", ids)], cancellationToken);
    }
}
