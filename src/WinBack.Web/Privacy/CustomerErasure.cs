using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Privacy;

/// <summary>
/// What forgetting customers means, whichever path asks (customers/redact, the retention period): their orders stay
/// only as anonymous totals, and their customer row (name, email), predictions, win-back listings and sheet "listed
/// since" rows go, in one statement; the shop's copy of its orders by customer that the last refit kept goes after it
/// (<see cref="StoredHistories"/>). Tag records are the callers' choice: a customer still in Shopify keeps theirs, so
/// the next tag run can remove the tag WinBack wrote.
/// </summary>
public static class CustomerErasure
{
    private const int LockNamespace = 0x45524153; // "ERAS"

    /// <summary>
    /// Held (shared) for the rest of the caller's transaction by a writer of copies about customers read earlier (the
    /// win-back listings): an erasure of the shop's customers in progress is waited for, so the writer's next statement
    /// no longer sees them; and an erasure that starts meanwhile waits for the writer's commit, then removes its rows too.
    /// </summary>
    public static Task HoldOffAsync(WinBackDbContext db, long shopId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({LockNamespace}, {(int)shopId})", cancellationToken);

    /// <returns>How many customer rows were deleted.</returns>
    /// <remarks>Run inside the caller's transaction: the shop's erasure lock (<see cref="HoldOffAsync"/>) is held until it commits.</remarks>
    public static async Task<int> EraseAsync(WinBackDbContext db, long shopId, long[] customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Length == 0) return 0;
        // First, alone: the deletions below are a later statement, which sees the rows of writers that held it off.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockNamespace}, {(int)shopId})", cancellationToken);
        // A refit swapping in the shop's scores is waited for, so the erased customers' scores go from the new partition.
        await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
        // Enumerated as written (not composed): PostgreSQL takes data-modifying WITH clauses only at the top level. The
        // scores' shop is a constant, so the delete is planned on the shop's partition alone (CustomerPredictionPartitions.ScoresOf).
        var sql = $$"""
            WITH gone AS (
                DELETE FROM customers WHERE shop_id = {0} AND id = ANY({1}) RETURNING id),
            anonymous_orders AS (
                UPDATE orders SET customer_id = NULL WHERE shop_id = {0} AND customer_id = ANY({1}) RETURNING 1),
            predictions AS (
                DELETE FROM {{CustomerPredictionPartitions.Table}} WHERE shop_id = {{CustomerPredictionPartitions.ShopIdSql(shopId)}} AND customer_id = ANY({1}) RETURNING 1),
            listings AS (
                DELETE FROM winback_listings WHERE shop_id = {0} AND customer_id = ANY({1}) RETURNING 1),
            sheet_rows AS (
                DELETE FROM sheet_listings WHERE shop_id = {0} AND customer_id = ANY({1}) RETURNING 1)
            SELECT count(*)::int AS "Value" FROM gone
            """;
        var erased = (await db.Database.SqlQueryRaw<int>(sql, shopId, customerIds).ToListAsync(cancellationToken)).Single();
        // The last refit's copy of the shop's orders by customer goes too (the next refit reads every order again).
        await db.Database.ExecuteSqlRawAsync(StoredHistories.DropOnErasureSql, [shopId], cancellationToken);
        return erased;
    }
}
