using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Privacy;

/// <summary>
/// What forgetting customers means, whichever path asks (customers/redact, the retention period): their orders stay
/// only as anonymous totals, and their customer row (name, email), predictions, win-back listings and sheet "listed
/// since" rows go, in one statement. Tag records are the callers' choice: a customer still in Shopify keeps theirs, so
/// the next tag run can remove the tag WinBack wrote.
/// </summary>
public static class CustomerErasure
{
    /// <returns>How many customer rows were deleted.</returns>
    public static async Task<int> EraseAsync(WinBackDbContext db, long shopId, long[] customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Length == 0) return 0;
        // Enumerated as written (not composed): PostgreSQL takes data-modifying WITH clauses only at the top level.
        return (await db.Database.SqlQuery<int>($"""
            WITH gone AS (
                DELETE FROM customers WHERE shop_id = {shopId} AND id = ANY({customerIds}) RETURNING id),
            anonymous_orders AS (
                UPDATE orders SET customer_id = NULL WHERE shop_id = {shopId} AND customer_id = ANY({customerIds}) RETURNING 1),
            predictions AS (
                DELETE FROM customer_predictions WHERE shop_id = {shopId} AND customer_id = ANY({customerIds}) RETURNING 1),
            listings AS (
                DELETE FROM winback_listings WHERE shop_id = {shopId} AND customer_id = ANY({customerIds}) RETURNING 1),
            sheet_rows AS (
                DELETE FROM sheet_listings WHERE shop_id = {shopId} AND customer_id = ANY({customerIds}) RETURNING 1)
            SELECT count(*)::int AS "Value" FROM gone
            """).ToListAsync(cancellationToken)).Single();
    }
}
