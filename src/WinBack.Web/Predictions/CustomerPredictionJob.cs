using System.Buffers;
using System.Diagnostics;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Analytics;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;
using WinBack.Web.Reports;

namespace WinBack.Web.Predictions;

/// <summary>
/// Refits one shop's models and scores every customer with orders: BG/NBD (P(alive), the expected next order) on
/// order days in weeks, Gamma-Gamma (spend per order) on repeat customers, the discounted 12-month value, RFM, and the
/// usual purchase interval. Reads the shop's qualifying orders once, in customer order, holding one small summary per
/// customer; writes all scores into the shop's next partition and swaps it in with the fit (<see cref="CustomerPredictionPartitions"/>),
/// so the report never shows half a refit. Runs weekly and after each full sync; one run per shop at a time (advisory lock).
/// </summary>
public sealed class CustomerPredictionJob(
    WinBackDbContext db, CustomerHistories customerHistories, CustomerRescoring rescoring, CustomerPredictionPartitions partitions,
    WinBackMetrics metrics, TimeProvider time, ILogger<CustomerPredictionJob> logger)
{
    private const int LockNamespace = 0x50524544; // "PRED"
    private static readonly TimeSpan LongestStatement = DatabaseExtensions.WholeShopStatementTimeout;
    /// <summary>Parameter draws behind the returning-customers intervals: enough for steady 10th and 90th percentiles.</summary>
    private const int ReturningDraws = 200;
    /// <summary>Customers scored and encoded together while the block before is sent.</summary>
    private const int ScoredBlock = 8192;
    /// <summary>
    /// A refit starts each candidate model where the last refit's fit of it ended, a few steps from the maximum on a week's
    /// new data (<see cref="FitStart"/>), and searches from the models' own starts again at least this often: a peak of
    /// the likelihood elsewhere that overtakes the one followed is found within a month.
    /// </summary>
    public const int FreshSearchDays = 28;

    private static double[] Interval(ReturningCustomersForecast forecast) => [forecast.Expected, forecast.Lower, forecast.Upper];

    [AutomaticRetry(Attempts = 3), Queue(JobQueues.Refits)]
    public Task RunAsync(long shopId, CancellationToken cancellationToken) => RunUnlessFittedAfterAsync(shopId, null, cancellationToken);

    /// <summary>
    /// The weekly refit of a shop the dispatcher found due, having no fit after <paramref name="dueUnlessFittedAfter"/>. It
    /// stands down if the shop was refitted since: after a sync, or by the job the dispatcher queued the day before (when
    /// refits wait in a backlog longer than a day, the dispatcher finds the same shop due again).
    /// </summary>
    [AutomaticRetry(Attempts = 3), Queue(JobQueues.Refits)]
    public Task RunIfDueAsync(long shopId, DateTimeOffset dueUnlessFittedAfter, CancellationToken cancellationToken) =>
        RunUnlessFittedAfterAsync(shopId, dueUnlessFittedAfter, cancellationToken);

    private async Task RunUnlessFittedAfterAsync(long shopId, DateTimeOffset? fittedAfter, CancellationToken cancellationToken)
    {
        if (!await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken)) return;
        var ran = await db.RunExclusiveAsync(LockNamespace, shopId, async () =>
        {
            // Asked under the lock: a refit of the shop that just ended elsewhere has written its fit.
            if (fittedAfter is { } due && await db.CustomerModelFits.AnyAsync(f => f.ShopId == shopId && f.FittedAt > due, cancellationToken))
                logger.LogInformation("Predictions of shop {ShopId} were refitted since they were found due; this run stands down", shopId);
            else
                await RefitAsync(shopId, cancellationToken);
        }, cancellationToken);
        if (!ran) logger.LogInformation("Predictions of shop {ShopId} are being refitted elsewhere; this run stands down", shopId);
    }

    /// <summary>
    /// A refit computed and not yet written: the customers' histories in customer order with their RFM ranking and the
    /// scorer of the new fit (each customer is scored as their row is written, so a million scores are never held at
    /// once), the fit and its track record, and the database snapshot taken just before its read of the orders (what the
    /// read could see, at most).
    /// </summary>
    internal sealed record Refit(long ShopId, List<CustomerHistory> Histories, IReadOnlyList<RfmScore> Rfm, CustomerScorer Scorer, DateOnly Today,
        CustomerModelFit Fit, ModelTrackRecord TrackRecord, string ReadSnapshot, long Started, TimeSpan Computed)
    {
        public CustomerScores Score(int index) => Scorer.Score(Histories[index], Today, Rfm[index]);
    }

    private async Task RefitAsync(long shopId, CancellationToken cancellationToken)
    {
        var refit = await ComputeAsync(shopId, cancellationToken);
        await WriteAsync(refit, cancellationToken);
        var total = Stopwatch.GetElapsedTime(refit.Started);
        metrics.Refitted(total);
        logger.LogInformation("Predictions of shop {ShopId}: refitted in {Seconds:F1} s", shopId, total.TotalSeconds);
    }

    internal async Task<Refit> ComputeAsync(long shopId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // A large shop's read and write take minutes, not the 30 s an interactive statement gets.
        db.Database.SetCommandTimeout(LongestStatement);
        // Read before the snapshot: an erasure after it is one the read may predate, and then what it read is not kept.
        var kept = await StoredHistories.StateAsync(db, shopId, cancellationToken);
        // Taken just before the read: a change it shows as not yet committed may be missing from the read (CatchUpAsync).
        var readSnapshot = await db.Database.SqlQuery<string>($"SELECT pg_current_snapshot()::text AS \"Value\"").SingleAsync(cancellationToken);
        // The shop's calendar alone: the report's scope would also work out its high-value line, a sort of every
        // customer's total whenever the data changed (every week).
        var calendar = await ShopCalendar.OfShopAsync(db, shopId, time.GetUtcNow(), cancellationToken);
        var today = calendar.Today;
        var previous = await db.CustomerModelFits.Where(f => f.ShopId == shopId)
            .Select(f => new { f.CandidateStarts, f.StartsSearchedOn }).SingleOrDefaultAsync(cancellationToken);
        var near = previous is { CandidateStarts: { } starts, StartsSearchedOn: { } searchedOn } && today.DayNumber - searchedOn.DayNumber < FreshSearchDays
            ? starts : null;
        var purchaseDays = new List<DateOnly[]>();
        // The last refit's histories serve for the customers unchanged since, until every order was last read four weeks ago.
        CustomerHistories.KeptRead? fromKept = null;
        if (kept is { ReadSnapshot: not null, FoldedOn: { } foldedOn } && kept.TimeZone == calendar.Zone.Id && today.DayNumber - foldedOn.DayNumber < FreshSearchDays)
        {
            try
            {
                fromKept = await customerHistories.ReadSinceAsync(shopId, calendar, kept, cancellationToken, (int)LongestStatement.TotalSeconds, purchaseDays);
            }
            catch (InvalidDataException e)
            {
                logger.LogWarning(e, "Predictions of shop {ShopId}: what the last refit kept cannot be read; every order is read", shopId);
                purchaseDays.Clear();
            }
        }
        var histories = fromKept?.Histories ?? await customerHistories.ReadAsync(shopId, calendar, customerIds: null, cancellationToken,
            (int)LongestStatement.TotalSeconds, purchaseDays);
        var read = Stopwatch.GetElapsedTime(started);
        // Kept for next week's refit while the models fit, on a connection of its own: done before the order days are let go.
        var keeping = Task.Run(() => KeepHistoriesAsync(shopId, kept, readSnapshot, calendar.Zone.Id, fromKept is null ? today : kept.FoldedOn!.Value,
            histories, purchaseDays, cancellationToken), cancellationToken);
        // One list, grouped once for every fit and forecast of it.
        var buyers = new RepeatBuyers(histories.Select(h => h.Buyer));
        var fit = new CustomerModelFit
        {
            ShopId = shopId, FittedAt = time.GetUtcNow(), DataThrough = today, Customers = histories.Count,
            RepeatCustomers = buyers.Count(b => b.Frequency > 0),
        };

        // What does not depend on the purchase model is computed alongside its fits, on the cores their serial stretches
        // leave free: the holdout split (with what its checks read: its grouping, the plain rule's forecast), the spend model and RFM.
        var splitting = Task.Run(() => HoldoutSplit.EndingOn(purchaseDays, today).Prepared(), cancellationToken);
        var spending = Task.Run(() => PurchaseModels.TryFit(() => GammaGamma.Fit(buyers)), cancellationToken);
        var rfmInputs = histories.Projected(h => h.RfmOn(today));
        var ranking = Task.Run(() =>
        {
            var scores = Rfm.Score(rfmInputs);
            return (Scores: scores, Cuts: RfmCutPoints.Of(rfmInputs, scores), Seconds: Stopwatch.GetElapsedTime(started).TotalSeconds - read.TotalSeconds);
        }, cancellationToken);

        // The moves between RFM groups since the last refit are counted against the groups still stored: the database reads
        // them while the models fit here (nothing else uses the context until this method returns).
        var counting = CountRfmMovesAsync(shopId, fit, histories, async () => (await ranking).Scores, cancellationToken);
        try
        {
            // The models that can score a one-time buyer are fitted and checked on the shop's own past; the one that predicted
            // it best scores the customers (PurchaseModelChoice).
            var attempts = PurchaseModelChoice.FitCandidates(buyers, near);
            var candidatesAt = Stopwatch.GetElapsedTime(started);
            var candidates = attempts.Where(a => a.Fit is not null).Select(a => a.Fit!).ToList();
            fit.CandidateStarts = [.. candidates.Select(c => c.Start).OfType<FitStart>()];
            // The earliest search of the candidates' fits: a fit that started near last week's goes back to its search.
            fit.StartsSearchedOn = candidates.Any(c => c.StartedNear) ? previous!.StartsSearchedOn : today;
            var split = await splitting;
            await keeping;
            // The split keeps what the holdout checks read of the order days; the rest (the days of customers who first bought
            // in the holdout weeks, and every holdout day) goes before the checks.
            purchaseDays.Clear();
            purchaseDays.TrimExcess();
            // Side by side: each check's scoring is mostly one core's work, and the machine has more. Each candidate is fitted
            // on the earlier orders starting from its fit on all of them, a few steps away.
            var checks = candidates.AsParallel().Select(f => (f.Model.Name, Check: HoldoutEvaluation.Evaluate(split, customers => f.RefitOn(customers).Model)))
                .ToDictionary(c => c.Name, c => c.Check);
            var chosen = PurchaseModelChoice.Choose(candidates, checks);
            var checksAt = Stopwatch.GetElapsedTime(started);
            // Without a fitted model the check still says, in words, why there is no record (too young, too few repeat customers).
            var trackRecord = chosen is var (chosenFit, _)
                ? checks[chosenFit.Model.Name]
                : HoldoutEvaluation.Evaluate(split, customers => PurchaseModelChoice.Fit(PurchaseModelChoice.Candidates[0], customers).Model);
            // Nor is the split past the checks: a large shop's goes before the forecasts and the scoring.
            split = null;
            IPurchaseModel? purchases = null;
            if (chosen is var (purchaseFit, reason))
            {
                purchases = purchaseFit.Model;
                fit.LogLikelihood = purchaseFit.LogLikelihood;
                // At a limiting model the parameters that ran off to 0 or infinity are not shown; the note names the limit.
                var shown = purchaseFit.ShownParameters.Values.ToArray();
                (fit.R, fit.Alpha, fit.A, fit.B) = (shown[0], shown[1], shown[2], shown[3]);
                fit.PurchaseModelNote = purchaseFit.Limit?.Note;
                (fit.PurchaseModel, fit.PurchaseParameters, fit.PurchaseModelChoice) = (purchases.Name, [.. purchaseFit.Parameters.Values], reason);
                fit.PurchaseStandardErrors = [.. purchaseFit.StandardErrors.Values];
                fit.ReturningIn4Weeks = Interval(purchaseFit.ReturningCustomers(buyers, 4, draws: ReturningDraws));
                fit.ReturningIn13Weeks = Interval(purchaseFit.ReturningCustomers(buyers, 13, draws: ReturningDraws));
            }
            else
            {
                fit.PurchaseModelNote = attempts.Select(a => a.Note).FirstOrDefault(n => n is not null);
            }
            var forecastsAt = Stopwatch.GetElapsedTime(started);

            var (spend, spendNote) = await spending;
            if (spend is not null)
                (fit.P, fit.Q, fit.Gamma, fit.SpendShopAverage, fit.SpendShopAverageOrders) = (spend.P, spend.Q, spend.Gamma, spend.Estimate.ShopAverage, spend.Estimate.ShopAverageOrders);
            fit.SpendModelNote = spend?.Limit?.Note ?? spendNote;
            var (rfm, cuts, rfmSeconds) = await ranking;
            (fit.RfmRecencyCuts, fit.RfmFrequencyCuts, fit.RfmMonetaryCuts) = (cuts.Recency, cuts.Frequency, cuts.Monetary);
            var movesSeconds = (Stopwatch.GetElapsedTime(started, await counting) - read).TotalSeconds;
            var computed = Stopwatch.GetElapsedTime(started);

            fit.Seconds = computed.TotalSeconds;
            logger.LogInformation(
                "Predictions of shop {ShopId}: {Customers} customers computed in {Seconds:F1} s (read {Read:F1} s: {ReadFrom}; then models {Fit:F1} s: candidates {Candidates:F1} s ({Started}), holdout checks {Checks:F1} s, " +
                "forecasts {Forecasts:F1} s; alongside them RFM, done {Rfm:F1} s in, and its moves since the last refit, counted {Moves:F1} s in; purchase model {Purchase}, spend model {SpendModel})",
                shopId, histories.Count, computed.TotalSeconds, read.TotalSeconds,
                fromKept is null ? "every order" : $"{fromKept.FromOrders} customers from their orders, the others as the last refit folded them",
                (computed - read).TotalSeconds, (candidatesAt - read).TotalSeconds,
                string.Join(", ", candidates.Select(c => $"{c.Model.Name} {(c.StartedNear ? "from the last refit's fit" : "searched from its starts")}")),
                (checksAt - candidatesAt).TotalSeconds, (forecastsAt - checksAt).TotalSeconds, rfmSeconds, movesSeconds,
                purchases is null ? "not fitted" : "fitted", spend is null ? "not fitted" : spend.Limit is null ? "fitted" : "at a limit");
            return new Refit(shopId, histories, rfm, new CustomerScorer(purchases, spend?.Estimate, cuts), today, fit, TrackRecordRow(shopId, trackRecord), readSnapshot, started, computed);
        }
        finally
        {
            // A refit that fails leaves none of its side work running when the job is retried: not the computations, and not
            // the read on its context.
            await Task.WhenAll(splitting, spending, ranking, counting, keeping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Keeps what the refit read for next week's (<see cref="StoredHistories"/>). What is kept only spares the next refit a
    /// read: a failure to keep it is logged, and the next refit reads every order.
    /// </summary>
    private async Task KeepHistoriesAsync(long shopId, StoredHistoriesState before, string readSnapshot, string timeZone, DateOnly foldedOn,
        List<CustomerHistory> histories, List<DateOnly[]> days, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await db.Database.OpenAnotherConnectionAsync(cancellationToken);
            if (!await StoredHistories.WriteAsync(connection, shopId, before, readSnapshot, timeZone, foldedOn, histories, days, cancellationToken))
                logger.LogInformation("Predictions of shop {ShopId}: customers were erased while the refit read; what it read is not kept", shopId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Predictions of shop {ShopId}: what the refit read could not be kept; the next refit reads every order", shopId);
        }
    }

    /// <summary>The holdout check as the row kept per refit: the record's figures, or why there is none.</summary>
    private ModelTrackRecord TrackRecordRow(long shopId, HoldoutResult result)
    {
        var row = new ModelTrackRecord { ShopId = shopId, HoldoutEnd = result.HoldoutEnd, CalibrationEnd = result.CalibrationEnd, CheckedAt = time.GetUtcNow() };
        switch (result)
        {
            case TrackRecord record:
                (row.ModelName, row.PredictedPurchases, row.ActualPurchases) = (record.ModelName, record.PredictedPurchases, record.ActualPurchases);
                (row.ModelAuc, row.RuleAuc, row.ModelBrier, row.RuleBrier) =
                    (record.Model.Auc, record.WeeksSinceLastOrder.Auc, record.Model.BrierScore, record.WeeksSinceLastOrder.BrierScore);
                row.Record = System.Text.Json.JsonSerializer.Serialize(record, System.Text.Json.JsonSerializerOptions.Web);
                break;
            case NoTrackRecord none:
                row.Explanation = none.Explanation;
                break;
        }
        return row;
    }

    /// <summary>
    /// The shop's scores are replaced whole, and the report switches from the old fit to the new one at once, never
    /// showing half of each: every row is copied into the shop's next partition (no indexes yet: they are built after, in
    /// one sort each), which is then swapped in with the fit, the track record and the catch-up of what changed meanwhile.
    /// </summary>
    internal async Task WriteAsync(Refit refit, CancellationToken cancellationToken)
    {
        var (shopId, fit, trackRecord) = (refit.ShopId, refit.Fit, refit.TrackRecord);
        db.Database.SetCommandTimeout(LongestStatement);
        var started = Stopwatch.GetTimestamp();
        var copied = TimeSpan.Zero;
        await partitions.WriteNextAsync(shopId, async table =>
        {
            await CopyScoresAsync(refit, table, cancellationToken);
            copied = Stopwatch.GetElapsedTime(started);
        }, cancellationToken);
        var indexed = Stopwatch.GetElapsedTime(started);
        await partitions.SwapInAsync(shopId, async next =>
        {
            await db.CustomerModelFits.Where(f => f.ShopId == shopId).ExecuteDeleteAsync(cancellationToken);
            db.CustomerModelFits.Add(fit);
            await db.ModelTrackRecords.Where(r => r.ShopId == shopId && (r.HoldoutEnd == trackRecord.HoldoutEnd || r.HoldoutEnd < trackRecord.HoldoutEnd.AddDays(-7 * ModelTrackRecord.KeptWeeks)))
                .ExecuteDeleteAsync(cancellationToken);
            db.ModelTrackRecords.Add(trackRecord);
            await db.SaveChangesAsync(cancellationToken);
            await CatchUpAsync(refit, next, cancellationToken);
        }, cancellationToken);
        var swapped = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Predictions of shop {ShopId}: written in {Seconds:F1} s (scored and copied {Copy:F1} s, indexed {Index:F1} s, swapped in {Swap:F1} s)",
            shopId, swapped.TotalSeconds, copied.TotalSeconds, (indexed - copied).TotalSeconds, (swapped - indexed).TotalSeconds);
    }

    private async Task CopyScoresAsync(Refit refit, string table, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({ScoreRows.Columns}) FROM STDIN (FORMAT BINARY, FREEZE)", cancellationToken);
        // Customers are scored and their rows encoded a block at a time, on every core, while the block before is sent (and
        // PostgreSQL stores the one before that): scoring a million customers is seconds of work, more than storing them,
        // and no array of a million scores is held. Two blocks' buffers serve in turn: the next block is encoded into the
        // one whose bytes were sent last.
        var count = refit.Histories.Count;
        var scores = new CustomerScores[ScoredBlock];
        var buffers = new[] { new ArrayBufferWriter<byte>(), new ArrayBufferWriter<byte>() };
        Task<ArrayBufferWriter<byte>> EncodeBlock(int start) => Task.Run(() =>
        {
            var size = Math.Min(ScoredBlock, count - start);
            Parallel.For(0, size, i => scores[i] = refit.Score(start + i));
            var rows = buffers[start / ScoredBlock % 2];
            rows.ResetWrittenCount();
            for (var i = 0; i < size; i++) ScoreRows.Append(rows, refit.ShopId, scores[i]);
            return rows;
        }, cancellationToken);
        var encoding = EncodeBlock(0);
        try
        {
            await copy.WriteAsync(ScoreRows.Header.ToArray(), cancellationToken);
            for (var start = 0; start < count; start += ScoredBlock)
            {
                var rows = await encoding;
                if (start + ScoredBlock < count) encoding = EncodeBlock(start + ScoredBlock);
                await copy.WriteAsync(rows.WrittenMemory, cancellationToken);
            }
            await copy.WriteAsync(ScoreRows.Trailer.ToArray(), cancellationToken);
        }
        catch
        {
            // Disposed as it is, the stream would end the COPY and store what it had; cancelled, PostgreSQL stores none of it
            // (and the transaction rolls back anyway: a connection already broken cannot cancel, and the error that broke it
            // is the one to report). The block being encoded is let finish, its outcome moot.
            try
            {
                await copy.CancelAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
            }
            await ((Task)encoding).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    /// <summary>
    /// The scores were computed from the orders as the read saw them; webhooks went on meanwhile, and their rescoring must
    /// not be undone. In the swap's transaction, after the new fit is written and while the shop's other writers of scores
    /// wait, the next table (<paramref name="table"/>) catches up with what the read's snapshot could not see
    /// (<see cref="CustomerChanges"/>): rows of customers deleted meanwhile (erased, deleted in Shopify) go, and customers
    /// whose rollups changed are rescored with the new fit (or lose their row, having no qualifying order left).
    /// </summary>
    private async Task CatchUpAsync(Refit refit, string table, CancellationToken cancellationToken)
    {
        var shopId = refit.ShopId;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var timeout = (int)LongestStatement.TotalSeconds;
        // Deletions first: a customer deleted and then made again (a sync of the same id) is among the changed, rescored below.
        var deleted = await CustomerChanges.DeletedSinceAsync(connection, shopId, refit.ReadSnapshot, timeout, cancellationToken);
        if (deleted.Count > 0)
        {
            var deleteScores = $"DELETE FROM {CustomerPredictionPartitions.Checked(table)} WHERE shop_id = {{0}} AND customer_id = ANY({{1}})";
            var removed = await db.Database.ExecuteSqlRawAsync(deleteScores, [shopId, deleted.ToArray()], cancellationToken);
            logger.LogInformation("Predictions of shop {ShopId}: {Deleted} customers deleted while the refit computed, their scores removed", shopId, removed);
        }
        var changed = await CustomerChanges.ChangedSinceAsync(connection, shopId, refit.ReadSnapshot, timeout, cancellationToken);
        await rescoring.RescoreAsync(shopId, [.. changed.Select(c => c.CustomerId)], cancellationToken, into: table);
        if (changed.Count > 0) logger.LogInformation("Predictions of shop {ShopId}: {Changed} customers changed while the refit computed, rescored", shopId, changed.Count);
    }

    /// <summary>
    /// Moves between RFM groups since the previous refit: each customer scored by both, whose group differs, leaves the old
    /// group and enters the new one. Read before the rows are replaced (only refits write the group a refit gave): the old
    /// groups in customer order beside the histories (in customer order too), so neither side is held in memory. Returns
    /// when it was done (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    private async Task<long> CountRfmMovesAsync(long shopId, CustomerModelFit fit, List<CustomerHistory> histories, Func<Task<IReadOnlyList<RfmScore>>> ranked,
        CancellationToken cancellationToken)
    {
        var previousRefit = await db.CustomerModelFits.Where(f => f.ShopId == shopId).Select(f => (DateOnly?)f.DataThrough).SingleOrDefaultAsync(cancellationToken);
        if (previousRefit is null) return Stopwatch.GetTimestamp();
        var rfm = await ranked();
        var groups = Enum.GetValues<RfmSegment>().Length;
        var (movedIn, movedOut) = (new int[groups], new int[groups]);
        var next = 0;
        // The shop as a constant, so PostgreSQL plans the read on the shop's partition alone (CustomerPredictionPartitions.ScoresOf).
        // A reader, not EF's materialized rows: the read runs beside the models' fits, and a million rows' objects cost them a core.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand($"""
                SELECT customer_id, rfm_segment_at_refit FROM {CustomerPredictionPartitions.ScoresOf(shopId)} p
                WHERE rfm_segment_at_refit IS NOT NULL ORDER BY customer_id
                """, connection) { CommandTimeout = (int)LongestStatement.TotalSeconds };
            await using var before = await command.ExecuteReaderAsync(cancellationToken);
            while (await before.ReadAsync(cancellationToken))
            {
                var (customerId, old) = (before.GetInt64(0), (RfmSegment)before.GetInt16(1));
                while (next < histories.Count && histories[next].CustomerId < customerId) next++;
                if (next == histories.Count) break;
                if (histories[next].CustomerId != customerId || rfm[next].Segment == old) continue;
                movedOut[(int)old]++;
                movedIn[(int)rfm[next].Segment]++;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        (fit.RfmMovedIn, fit.RfmMovedOut, fit.RfmComparedWith) = (movedIn, movedOut, previousRefit);
        return Stopwatch.GetTimestamp();
    }
}

/// <summary>
/// The weekly refit: every installed shop whose models are a week old (or were never fitted) gets a job. The scores'
/// partitions of shops that are gone are dropped on the way.
/// </summary>
public sealed class CustomerPredictionDispatcher(WinBackDbContext db, CustomerPredictionPartitions partitions, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string RecurringId = "predictions:weekly-refit";
    public static readonly TimeSpan RefitEvery = TimeSpan.FromDays(7);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var due = time.GetUtcNow() - RefitEvery + TimeSpan.FromHours(1);
        var shops = await db.Shops.Where(s => s.UninstalledAt == null)
            .Where(s => !db.CustomerModelFits.Any(f => f.ShopId == s.Id && f.FittedAt > due))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<CustomerPredictionJob>(job => job.RunIfDueAsync(shopId, due, CancellationToken.None));
        await partitions.DropOrphansAsync(cancellationToken);
    }
}
