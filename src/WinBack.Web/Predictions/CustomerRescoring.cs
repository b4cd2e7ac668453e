using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Reports;

namespace WinBack.Web.Predictions;

/// <summary>
/// Keeps scores current between refits (PRODUCT.md: every list is computed from current data): when an order of a
/// customer is created, cancelled, refunded or deleted, the sync's flush rescores that customer with the shop's stored
/// fit, in the same transaction as the rollups. A customer left without a qualifying order loses their scores. Once a
/// shop has a fit, every customer with a qualifying order has scores: the report's prediction sorts rely on it.
/// </summary>
public sealed class CustomerRescoring(WinBackDbContext db, CustomerHistories histories, TimeProvider time)
{
    /// <summary>
    /// After a full sync wrote customers outside the webhooks' path: customers with a qualifying order and no scores get
    /// theirs, customers whose last order is not the one they were scored with (an order the webhooks missed, found by the
    /// sync) are rescored, and scores of customers left without a qualifying order go. The lists read from the scores
    /// alone rely on the scores' last order being the customer's; the refit the sync queues redoes everyone later.
    /// </summary>
    public async Task ScoreStaleAsync(long shopId, CancellationToken cancellationToken)
    {
        if (!await db.CustomerModelFits.AnyAsync(f => f.ShopId == shopId, cancellationToken)) return;
        var scores = CustomerPredictionPartitions.ScoresOf(shopId);
        var staleSql = $$"""
            SELECT c.id AS "Value" FROM customers c LEFT JOIN {{scores}} p ON p.shop_id = c.shop_id AND p.customer_id = c.id
            WHERE c.shop_id = {0} AND c.orders_count > 0 AND p.scored_last_order_at IS DISTINCT FROM c.last_order_at
            UNION
            SELECT p.customer_id FROM {{scores}} p LEFT JOIN customers c ON c.shop_id = p.shop_id AND c.id = p.customer_id
            WHERE coalesce(c.orders_count, 0) = 0
            """;
        var stale = await db.Database.SqlQueryRaw<long>(staleSql, shopId).ToListAsync(cancellationToken);
        await RescoreAsync(shopId, stale, cancellationToken);
    }

    /// <summary>Customers whose histories are read, scored and written together: a sync's or a refit's catch-up of many goes in such batches.</summary>
    private const int Batch = 10_000;

    /// <param name="into">The table the scores go to: the scores' table, or a refit's next partition while it catches up.</param>
    public async Task RescoreAsync(long shopId, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken, string into = CustomerPredictionPartitions.Table)
    {
        if (customerIds.Count == 0) return;
        // The hold-off below lasts as long as a transaction: a caller without one (a re-sync) gets its own.
        await db.Database.InTransactionAsync(() => RescoreHeldOffAsync(shopId, customerIds, into, cancellationToken), cancellationToken);
    }

    private async Task RescoreHeldOffAsync(long shopId, IReadOnlyCollection<long> customerIds, string into, CancellationToken cancellationToken)
    {
        // A refit swapping in the shop's scores is waited for before the fit is read (the customer is then scored by the
        // new fit, into the new partition), and a swap that starts meanwhile waits for this commit, then catches up.
        await CustomerPredictionPartitions.HoldOffSwapAsync(db, shopId, cancellationToken);
        var fit = await db.CustomerModelFits.AsNoTracking().SingleOrDefaultAsync(f => f.ShopId == shopId, cancellationToken);
        if (fit is null) return;
        var scorer = CustomerScorer.From(fit);
        if (!scorer.CanScoreAlone) return; // a fit from before cut points were kept: the next refit scores everyone
        var calendar = await ShopCalendar.OfShopAsync(db, shopId, time.GetUtcNow(), cancellationToken);
        foreach (var batch in customerIds.Chunk(Batch)) await WriteAsync(shopId, batch, scorer, fit.DataThrough, calendar, into, cancellationToken);
    }

    private async Task WriteAsync(long shopId, long[] ids, CustomerScorer scorer, DateOnly dataThrough, ShopCalendar calendar, string table, CancellationToken cancellationToken)
    {
        var current = await histories.ReadAsync(shopId, calendar, ids, cancellationToken);
        var scores = current.Select(h => scorer.Score(h, dataThrough)).ToList();
        var scored = scores.Select(s => s.CustomerId).ToArray();
        table = CustomerPredictionPartitions.Checked(table);
        // The shop as a constant, so PostgreSQL plans the delete on the shop's partition alone (CustomerPredictionPartitions.ScoresOf).
        var delete = $"DELETE FROM {table} WHERE shop_id = {CustomerPredictionPartitions.ShopIdSql(shopId)} AND customer_id = ANY({{0}}) AND NOT customer_id = ANY({{1}})";
        await db.Database.ExecuteSqlRawAsync(delete, [ids, scored], cancellationToken);
        if (scores.Count == 0) return;
        var upsert = "INSERT INTO " + table + " AS p" + """
             (shop_id, customer_id, scored_last_order_at, probability_alive, usual_interval_days, overdue_on, expected_next_order_on, predicted_value, rfm_score, rfm_segment)
            SELECT {0}, s.* FROM unnest({1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}) AS s
            ON CONFLICT (shop_id, customer_id) DO UPDATE SET
                scored_last_order_at = excluded.scored_last_order_at, probability_alive = excluded.probability_alive, usual_interval_days = excluded.usual_interval_days, overdue_on = excluded.overdue_on,
                expected_next_order_on = excluded.expected_next_order_on, predicted_value = excluded.predicted_value,
                rfm_score = excluded.rfm_score, rfm_segment = excluded.rfm_segment
            WHERE (p.scored_last_order_at, p.probability_alive, p.usual_interval_days, p.overdue_on, p.expected_next_order_on, p.predicted_value, p.rfm_score, p.rfm_segment)
                IS DISTINCT FROM (excluded.scored_last_order_at, excluded.probability_alive, excluded.usual_interval_days, excluded.overdue_on, excluded.expected_next_order_on,
                   excluded.predicted_value, excluded.rfm_score, excluded.rfm_segment)
            """;
        await db.Database.ExecuteSqlRawAsync(upsert,
            [shopId, scored, scores.Select(s => s.LastOrderAt).ToArray(), scores.Select(s => s.ProbabilityAlive).ToArray(), scores.Select(s => s.UsualIntervalDays).ToArray(),
             scores.Select(s => s.OverdueOn).ToArray(), scores.Select(s => s.ExpectedNextOrderOn).ToArray(), scores.Select(s => s.PredictedValue).ToArray(),
             scores.Select(s => s.RfmScore).ToArray(), scores.Select(s => (short)s.RfmSegment).ToArray()], cancellationToken);
    }
}
