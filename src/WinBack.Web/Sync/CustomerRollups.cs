using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// Recomputes customers' rollups from their qualifying orders (PRODUCT.md: not test, not cancelled, has a customer):
/// orders count, first and last order, total spent in shop currency after refunds. One statement serves the full
/// recompute after a sync and the incremental one after a webhook; rows already right are not rewritten.
/// </summary>
public sealed class CustomerRollups(WinBackDbContext db)
{
    public Task<int> RecomputeShopAsync(long shopId, CancellationToken cancellationToken) => RecomputeAsync(shopId, null, cancellationToken);

    public Task<int> RecomputeAsync(long shopId, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken) =>
        customerIds.Count == 0 ? Task.FromResult(0) : RecomputeAsync(shopId, customerIds.ToArray(), cancellationToken);

    private Task<int> RecomputeAsync(long shopId, long[]? customerIds, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH rollup AS (
                SELECT customer_id, count(*)::int AS n, min(processed_at) AS first_at, max(processed_at) AS last_at, sum(current_total) AS total
                FROM orders
                WHERE shop_id = {shopId} AND NOT test AND cancelled_at IS NULL AND customer_id IS NOT NULL
                  AND ({customerIds}::bigint[] IS NULL OR customer_id = ANY({customerIds}::bigint[]))
                GROUP BY customer_id),
            target AS (
                SELECT c.id, coalesce(r.n, 0) AS n, r.first_at, r.last_at, coalesce(r.total, 0) AS total
                FROM customers c LEFT JOIN rollup r ON r.customer_id = c.id
                WHERE c.shop_id = {shopId} AND ({customerIds}::bigint[] IS NULL OR c.id = ANY({customerIds}::bigint[])))
            UPDATE customers c
            SET orders_count = t.n, first_order_at = t.first_at, last_order_at = t.last_at, total_spent = t.total
            FROM target t
            WHERE c.shop_id = {shopId} AND c.id = t.id
              AND (c.orders_count, c.first_order_at, c.last_order_at, c.total_spent) IS DISTINCT FROM (t.n, t.first_at, t.last_at, t.total)
            """, cancellationToken);
}
