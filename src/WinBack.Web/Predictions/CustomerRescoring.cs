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
        var stale = await db.Database.SqlQuery<long>($"""
            SELECT c.id AS "Value" FROM customers c LEFT JOIN customer_predictions p ON p.shop_id = c.shop_id AND p.customer_id = c.id
            WHERE c.shop_id = {shopId} AND c.orders_count > 0 AND p.scored_last_order_at IS DISTINCT FROM c.last_order_at
            UNION
            SELECT p.customer_id FROM customer_predictions p LEFT JOIN customers c ON c.shop_id = p.shop_id AND c.id = p.customer_id
            WHERE p.shop_id = {shopId} AND coalesce(c.orders_count, 0) = 0
            """).ToListAsync(cancellationToken);
        await RescoreAsync(shopId, stale, cancellationToken);
    }

    /// <summary>Customers whose histories are read, scored and written together: a sync's or a refit's catch-up of many goes in such batches.</summary>
    private const int Batch = 10_000;

    public async Task RescoreAsync(long shopId, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        if (customerIds.Count == 0) return;
        // A refit swapping in the shop's scores holds the scores' table until it commits its new fit with them: in a
        // transaction, wait for it before reading the fit, or the new scores would get a customer scored by the old one.
        if (db.Database.CurrentTransaction is not null) await db.Database.ExecuteSqlRawAsync("LOCK TABLE ONLY customer_predictions IN ROW EXCLUSIVE MODE", cancellationToken);
        var fit = await db.CustomerModelFits.AsNoTracking().SingleOrDefaultAsync(f => f.ShopId == shopId, cancellationToken);
        if (fit is null) return;
        var scorer = CustomerScorer.From(fit);
        if (!scorer.CanScoreAlone) return; // a fit from before cut points were kept: the next refit scores everyone
        var timezone = await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken);
        var calendar = ShopCalendar.For(timezone, time.GetUtcNow());
        foreach (var batch in customerIds.Chunk(Batch)) await WriteAsync(shopId, batch, scorer, fit.DataThrough, calendar, cancellationToken);
    }

    private async Task WriteAsync(long shopId, long[] ids, CustomerScorer scorer, DateOnly dataThrough, ShopCalendar calendar, CancellationToken cancellationToken)
    {
        var current = await histories.ReadAsync(shopId, calendar.Zone.Id, calendar.Today, ids, cancellationToken);
        var scores = current.Select(h => scorer.Score(h, dataThrough)).ToList();
        var scored = scores.Select(s => s.CustomerId).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            DELETE FROM customer_predictions WHERE shop_id = {shopId} AND customer_id = ANY({ids}) AND NOT customer_id = ANY({scored})
            """, cancellationToken);
        if (scores.Count == 0) return;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO customer_predictions (shop_id, customer_id, scored_last_order_at, probability_alive, usual_interval_days, overdue_on, expected_next_order_on, predicted_value, rfm_score, rfm_segment)
            SELECT {shopId}, s.* FROM unnest({scored}, {scores.Select(s => s.LastOrderAt).ToArray()}, {scores.Select(s => s.ProbabilityAlive).ToArray()}, {scores.Select(s => s.UsualIntervalDays).ToArray()},
                {scores.Select(s => s.OverdueOn).ToArray()}, {scores.Select(s => s.ExpectedNextOrderOn).ToArray()}, {scores.Select(s => s.PredictedValue).ToArray()}, {scores.Select(s => s.RfmScore).ToArray()},
                {scores.Select(s => (short)s.RfmSegment).ToArray()}) AS s
            ON CONFLICT (shop_id, customer_id) DO UPDATE SET
                scored_last_order_at = excluded.scored_last_order_at, probability_alive = excluded.probability_alive, usual_interval_days = excluded.usual_interval_days, overdue_on = excluded.overdue_on,
                expected_next_order_on = excluded.expected_next_order_on, predicted_value = excluded.predicted_value,
                rfm_score = excluded.rfm_score, rfm_segment = excluded.rfm_segment
            WHERE (customer_predictions.scored_last_order_at, customer_predictions.probability_alive, customer_predictions.usual_interval_days, customer_predictions.overdue_on, customer_predictions.expected_next_order_on,
                   customer_predictions.predicted_value, customer_predictions.rfm_score, customer_predictions.rfm_segment)
                IS DISTINCT FROM (excluded.scored_last_order_at, excluded.probability_alive, excluded.usual_interval_days, excluded.overdue_on, excluded.expected_next_order_on,
                   excluded.predicted_value, excluded.rfm_score, excluded.rfm_segment)
            """, cancellationToken);
    }
}
