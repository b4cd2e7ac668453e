using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Sync;

namespace WinBack.Web.Reports;

/// <summary>
/// A product that inactive customers bought more often than active ones, and how many of each ever bought it. <see cref="Lift"/> is the share of inactive
/// customers who bought it over the share of active customers who did (with one customer added to the active side, so a
/// product no active customer bought is not infinitely "lost"): 2 means lost customers bought it twice as often.
/// </summary>
public sealed record ProductReflection(long ProductId, string Title, int InactiveCustomers, int ActiveCustomers, double InactiveShare, double ActiveShare, double Lift);

public sealed record ProductReflectionReport(int InactiveCustomers, int ActiveCustomers, int MinimumInactiveBuyers, IReadOnlyList<ProductReflection> Products);

/// <summary>
/// What lost customers bought (PRODUCT.md, beyond the peers): the products most over-represented among inactive
/// customers' qualifying orders against active customers' (lift above 1, bought by at least three inactive customers). One pass over the shop's line items, cached per data version.
/// </summary>
public sealed class LostCustomerProducts(WinBackDbContext db, ReportScopes scopes)
{
    public const int MinimumInactiveBuyers = 3;
    public const int Top = 10;

    private sealed record Row(long ProductId, string Title, int Inactive, int Active, int InactiveAll, int ActiveAll);

    public Task<ProductReflectionReport> GetAsync(ReportScope scope, CancellationToken cancellationToken) =>
        scopes.CachedAsync(scope.CacheKey("lost-customer-products"), async ct =>
        {
            var threshold = WinBackRules.InactiveBefore(scope);
            var rows = await db.Database.SqlQueryRaw<Row>($"""
                WITH buyers AS (
                    SELECT DISTINCT li.product_id, o.customer_id
                    FROM order_line_items li JOIN orders o ON o.shop_id = li.shop_id AND o.id = li.order_id
                    WHERE li.shop_id = @shop AND li.product_id IS NOT NULL AND {QualifyingOrders.Sql}),
                per_product AS (
                    SELECT b.product_id, count(*) FILTER (WHERE c.last_order_at < @threshold)::int AS inactive,
                           count(*) FILTER (WHERE c.last_order_at >= @threshold)::int AS active
                    FROM buyers b JOIN customers c ON c.shop_id = @shop AND c.id = b.customer_id
                    WHERE c.orders_count > 0
                    GROUP BY b.product_id),
                totals AS (
                    SELECT count(*) FILTER (WHERE last_order_at < @threshold)::int AS inactive_all, count(*) FILTER (WHERE last_order_at >= @threshold)::int AS active_all
                    FROM customers WHERE shop_id = @shop AND orders_count > 0)
                SELECT p.product_id, (SELECT li.title FROM order_line_items li WHERE li.shop_id = @shop AND li.product_id = p.product_id LIMIT 1) AS title,
                       p.inactive, p.active, t.inactive_all, t.active_all
                FROM per_product p CROSS JOIN totals t
                WHERE p.inactive >= {MinimumInactiveBuyers}
                  AND (p.inactive::float8 / t.inactive_all) > ((p.active + 1)::float8 / (t.active_all + 1))
                ORDER BY (p.inactive::float8 / t.inactive_all) / ((p.active + 1)::float8 / (t.active_all + 1)) DESC, p.inactive DESC, p.product_id
                LIMIT {Top}
                """, new NpgsqlParameter("shop", scope.ShopId), new NpgsqlParameter("threshold", threshold)).ToListAsync(ct);
            var (inactiveAll, activeAll) = rows.Count > 0 ? (rows[0].InactiveAll, rows[0].ActiveAll) : (0, 0);
            return new ProductReflectionReport(inactiveAll, activeAll, MinimumInactiveBuyers, rows.Select(r =>
            {
                var inactiveShare = (double)r.Inactive / r.InactiveAll;
                var activeShare = r.ActiveAll == 0 ? 0 : (double)r.Active / r.ActiveAll;
                var lift = inactiveShare / ((r.Active + 1.0) / (r.ActiveAll + 1.0));
                return new ProductReflection(r.ProductId, r.Title, r.Inactive, r.Active, Math.Round(inactiveShare, 4), Math.Round(activeShare, 4), Math.Round(lift, 2));
            }).ToList());
        }, cancellationToken);
}
