using System.Diagnostics;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Analytics;
using WinBack.Web.Data;
using WinBack.Web.Reports;

namespace WinBack.Web.Predictions;

/// <summary>
/// Refits one shop's models and scores every customer with orders: BG/NBD (P(alive), the expected next order) on
/// order days in weeks, Gamma-Gamma (spend per order) on repeat customers, the discounted 12-month value, RFM, and the
/// usual purchase interval. Reads the shop's qualifying orders once, in customer order, holding one small summary per
/// customer; writes all scores in one transaction, so the report never shows half a refit. Runs weekly and after each
/// full sync; one run per shop at a time (advisory lock).
/// </summary>
public sealed class CustomerPredictionJob(WinBackDbContext db, ReportScopes scopes, TimeProvider time, ILogger<CustomerPredictionJob> logger)
{
    private const int LockNamespace = 0x50524544; // "PRED"
    private const double DaysPerWeek = 7;
    /// <summary>An expected gap longer than this is no date a merchant can use; the date is left empty.</summary>
    private const double LongestExpectedGapDays = 3 * 365;
    private static readonly TimeSpan LongestStatement = TimeSpan.FromMinutes(15);

    /// <summary>One customer's order history, folded: what the models and RFM read.</summary>
    private readonly record struct History(long CustomerId, RepeatBuyer Buyer, double? UsualIntervalDays, DateOnly LastOrderOn, int Orders, decimal TotalSpent);

    private readonly record struct Scores(long CustomerId, double? ProbabilityAlive, double? UsualIntervalDays, DateOnly? ExpectedNextOrderOn, decimal? PredictedValue,
        short RfmScore, RfmSegment RfmSegment);

    [AutomaticRetry(Attempts = 3)]
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        if (!await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken)) return;
        if (!await db.RunExclusiveAsync(LockNamespace, shopId, () => RefitAsync(shopId, cancellationToken), cancellationToken))
            logger.LogInformation("Predictions of shop {ShopId} are being refitted elsewhere; this run stands down", shopId);
    }

    private async Task RefitAsync(long shopId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // A large shop's read and write take minutes, not the 30 s an interactive statement gets.
        db.Database.SetCommandTimeout(LongestStatement);
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var today = scope.Calendar.Today;
        var histories = await ReadHistoriesAsync(shopId, scope.Calendar.Zone.Id, today, cancellationToken);
        var read = Stopwatch.GetElapsedTime(started);
        var buyers = histories.Select(h => h.Buyer).ToList();
        var fit = new CustomerModelFit
        {
            ShopId = shopId, FittedAt = time.GetUtcNow(), DataThrough = today, Customers = histories.Count,
            RepeatCustomers = buyers.Count(b => b.Frequency > 0),
        };

        BetaGeometricNbd? purchases = null;
        try
        {
            var purchaseFit = BetaGeometricNbd.Fit(buyers);
            (purchases, fit.LogLikelihood) = (purchaseFit.Model, purchaseFit.LogLikelihood);
            // At a limiting model the parameters that ran off to 0 or infinity are not shown; the note names the limit.
            var limit = purchaseFit.Limit;
            if (limit is not { RateUnbounded: true }) (fit.R, fit.Alpha) = (purchases.R, purchases.Alpha);
            if (limit is not { DropoutUnbounded: true }) (fit.A, fit.B) = (purchases.A, purchases.B);
            fit.PurchaseModelNote = limit?.Note;
        }
        catch (NotEnoughDataException e)
        {
            fit.PurchaseModelNote = e.Message;
        }
        GammaGamma? spend = null;
        try
        {
            (spend, _) = GammaGamma.Fit(buyers);
            (fit.P, fit.Q, fit.Gamma) = (spend.P, spend.Q, spend.Gamma);
        }
        catch (NotEnoughDataException e)
        {
            fit.SpendModelNote = e.Message;
        }

        var fitted = Stopwatch.GetElapsedTime(started);

        var rfm = Rfm.Score(histories.Select(h => new RfmInput(h.CustomerId, today.DayNumber - h.LastOrderOn.DayNumber, h.Orders, h.TotalSpent)).ToList());
        var scores = new Scores[histories.Count];
        Parallel.For(0, histories.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var h = histories[i];
            double? alive = purchases is not null && h.Buyer.Frequency > 0 ? purchases.ProbabilityAlive(h.Buyer) : null;
            DateOnly? next = null;
            if (purchases is not null && h.Buyer.Frequency > 0 && DaysPerWeek / purchases.RateIfActive(h.Buyer) is var gap and <= LongestExpectedGapDays)
                next = h.LastOrderOn.AddDays((int)Math.Round(gap));
            decimal? value = null;
            if (purchases is not null && spend is not null)
            {
                var predicted = purchases.DiscountedValue(h.Buyer, spend.ExpectedAverageValue(h.Buyer));
                if (double.IsFinite(predicted) && predicted < 1e12) value = decimal.Round((decimal)predicted, 2);
            }
            var r = rfm[i];
            scores[i] = new Scores(h.CustomerId, alive, h.UsualIntervalDays, next, value, (short)(r.Recency * 100 + r.Frequency * 10 + r.Monetary), r.Segment);
        });
        var scored = Stopwatch.GetElapsedTime(started);

        fit.Seconds = scored.TotalSeconds;
        await WriteAsync(shopId, scores, fit, cancellationToken);
        var total = Stopwatch.GetElapsedTime(started);
        logger.LogInformation(
            "Predictions of shop {ShopId}: {Customers} customers in {Seconds:F1} s (read {Read:F1} s, fit {Fit:F1} s, score {Score:F1} s, write {Write:F1} s; purchase model {Purchase}, spend model {Spend})",
            shopId, histories.Count, total.TotalSeconds, read.TotalSeconds, (fitted - read).TotalSeconds, (scored - fitted).TotalSeconds, (total - scored).TotalSeconds,
            purchases is null ? "not fitted" : "fitted", spend is null ? "not fitted" : "fitted");
    }

    /// <summary>
    /// Each customer's qualifying orders folded by order day in the shop's calendar (the models count purchase days, as
    /// the CDNOW data do): x = order days − 1, t_x and T in weeks from the first order day, mean value of the repeat days.
    /// </summary>
    private async Task<List<History>> ReadHistoriesAsync(long shopId, string zone, DateOnly today, CancellationToken cancellationToken)
    {
        // Sized once: a list of a million customers that doubles as it grows would hold twice that at its peak.
        var expected = await db.Customers.CountAsync(c => c.ShopId == shopId && c.OrdersCount > 0, cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT o.customer_id, (o.processed_at AT TIME ZONE $2)::date AS day, count(*)::int, sum(o.current_total)
            FROM orders o JOIN customers c ON c.shop_id = o.shop_id AND c.id = o.customer_id
            WHERE o.shop_id = $1 AND NOT o.test AND o.cancelled_at IS NULL AND o.customer_id IS NOT NULL
            GROUP BY 1, 2 ORDER BY 1, 2
            """, (NpgsqlConnection)db.Database.GetDbConnection())
        {
            Parameters = { new() { Value = shopId }, new() { Value = zone } },
            CommandTimeout = (int)LongestStatement.TotalSeconds,
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var histories = new List<History>(expected);
        var days = new List<DateOnly>();
        var dayTotals = new List<decimal>();
        long current = 0;
        var orders = 0;
        void Fold()
        {
            if (days.Count == 0) return;
            var first = days[0];
            var last = days[^1];
            var repeatDays = days.Count - 1;
            var repeatAverage = repeatDays > 0 ? (double)dayTotals.Skip(1).Sum() / repeatDays : 0;
            var buyer = new RepeatBuyer(repeatDays, (last.DayNumber - first.DayNumber) / DaysPerWeek,
                Math.Max(0, today.DayNumber - first.DayNumber) / DaysPerWeek, Math.Max(0, repeatAverage));
            histories.Add(new History(current, buyer, PurchaseCycle.UsualIntervalDays(days), last, orders, dayTotals.Sum()));
            days.Clear();
            dayTotals.Clear();
            orders = 0;
        }
        while (await reader.ReadAsync(cancellationToken))
        {
            var customerId = reader.GetInt64(0);
            if (customerId != current) Fold();
            current = customerId;
            days.Add(reader.GetFieldValue<DateOnly>(1));
            orders += reader.GetInt32(2);
            dayTotals.Add(reader.GetDecimal(3));
        }
        Fold();
        return histories;
    }

    /// <summary>
    /// Every score in one transaction: the shop's rows are replaced by a binary COPY, so the report switches from the old
    /// fit to the new one at commit, never showing half of each (statement triggers bump the report's data version).
    /// </summary>
    private async Task WriteAsync(long shopId, Scores[] scores, CustomerModelFit fit, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.CustomerPredictions.Where(p => p.ShopId == shopId).ExecuteDeleteAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY customer_predictions (shop_id, customer_id, probability_alive, usual_interval_days, expected_next_order_on, predicted_value, rfm_score, rfm_segment) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var s in scores)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(shopId, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(s.CustomerId, NpgsqlDbType.Bigint, cancellationToken);
                await WriteNullableAsync(copy, s.ProbabilityAlive, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(copy, s.UsualIntervalDays, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(copy, s.ExpectedNextOrderOn, NpgsqlDbType.Date, cancellationToken);
                await WriteNullableAsync(copy, s.PredictedValue, NpgsqlDbType.Numeric, cancellationToken);
                await copy.WriteAsync(s.RfmScore, NpgsqlDbType.Smallint, cancellationToken);
                await copy.WriteAsync((short)s.RfmSegment, NpgsqlDbType.Smallint, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await db.CustomerModelFits.Where(f => f.ShopId == shopId).ExecuteDeleteAsync(cancellationToken);
        db.CustomerModelFits.Add(fit);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, cancellationToken) : copy.WriteNullAsync(cancellationToken);
}

/// <summary>The weekly refit: every installed shop whose models are a week old (or were never fitted) gets a job.</summary>
public sealed class CustomerPredictionDispatcher(WinBackDbContext db, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string RecurringId = "predictions:weekly-refit";
    public static readonly TimeSpan RefitEvery = TimeSpan.FromDays(7);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var due = time.GetUtcNow() - RefitEvery + TimeSpan.FromHours(1);
        var shops = await db.Shops.Where(s => s.UninstalledAt == null)
            .Where(s => !db.CustomerModelFits.Any(f => f.ShopId == s.Id && f.FittedAt > due))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<CustomerPredictionJob>(job => job.RunAsync(shopId, CancellationToken.None));
    }
}
