using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Predictions;
using WinBack.Web.Privacy;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// Each shop's scores are a partition of their own, which a refit builds aside and swaps in: two shops of the same shape
/// (weekly, monthly and one-time buyers), refitted one after the other and at once, while the other's merchant reads.
/// </summary>
public sealed class PredictionPartitionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private WinBackApp _app = null!;
    private ReportShop _north = null!, _south = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("partitions", _time);
        _north = await SeedAsync("north.myshopify.com");
        _south = await SeedAsync("south.myshopify.com");
    }

    private Task<ReportShop> SeedAsync(string domain)
    {
        var shop = new ReportShop(_app, domain);
        for (var id = 1; id <= 30; id++)
        {
            shop.Customer(id, $"Buyer{id}", "B");
            var gap = 3 + id % 9;
            var orders = id % 3 == 0 ? 1 : 2 + id % 6;
            for (var k = 0; k < orders; k++) shop.Order(id, new DateTime(2026, 11, 20, 10, 0, 0).AddDays(-(id * 2) - k * gap), 20m + id);
        }
        return shop.SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RefitAsync(long shopId)
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shopId, CancellationToken.None);
    }

    private async Task<Dictionary<long, CustomerPrediction>> ScoresAsync(long shopId)
    {
        await using var db = _app.CreateDbContext();
        return await db.CustomerPredictions.AsNoTracking().Where(p => p.ShopId == shopId).ToDictionaryAsync(p => p.CustomerId);
    }

    private async Task<List<string>> ScoreTablesAsync()
    {
        await using var db = _app.CreateDbContext();
        return await db.Database.SqlQuery<string>($"""
            SELECT relname::text AS "Value" FROM pg_class WHERE relkind IN ('r', 'p') AND relname LIKE 'customer\_predictions%' ORDER BY relname
            """).ToListAsync();
    }

    /// <summary>
    /// The tables the report pages through index-only scans, the customers and the shop's scores, are set so that a large
    /// shop's week of changes (20,000 of its million customers, 2 %) brings autovacuum, whether they are updates or inserts.
    /// At PostgreSQL's default (a fifth of the rows) it never came, and pages walking many index entries fetched each
    /// from the heap (AutovacuumSettings). PostgreSQL's rule: a table is vacuumed once its changes since the last vacuum
    /// pass the threshold plus the scale factor times its rows, the table's own settings before the server's.
    /// </summary>
    [Fact]
    public async Task The_tables_the_report_scans_are_vacuumed_after_a_large_shops_week_of_changes()
    {
        await RefitAsync(_north.ShopId);
        const int rows = 1_000_000, aWeeksChanges = 20_000;
        foreach (var table in new[] { "customers", CustomerPredictionPartitions.NameOf(_north.ShopId) })
        {
            await using var db = _app.CreateDbContext();
            var vacuumedAfter = await db.Database.SqlQuery<VacuumedAfter>($"""
                SELECT coalesce(o.enabled, 'on')::bool AS enabled,
                       coalesce(o.threshold, current_setting('autovacuum_vacuum_threshold'))::float8
                         + coalesce(o.scale, current_setting('autovacuum_vacuum_scale_factor'))::float8 * {rows} AS updates,
                       coalesce(o.insert_threshold, current_setting('autovacuum_vacuum_insert_threshold'))::float8
                         + coalesce(o.insert_scale, current_setting('autovacuum_vacuum_insert_scale_factor'))::float8 * {rows} AS inserts
                FROM pg_class c, LATERAL (
                    SELECT max(option_value) FILTER (WHERE option_name = 'autovacuum_enabled') AS enabled,
                           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_threshold') AS threshold,
                           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_scale_factor') AS scale,
                           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_insert_threshold') AS insert_threshold,
                           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_insert_scale_factor') AS insert_scale
                    FROM pg_options_to_table(c.reloptions)) o
                WHERE c.oid = {table}::regclass
                """).SingleAsync();
            vacuumedAfter.Enabled.Should().BeTrue($"autovacuum visits {table}");
            vacuumedAfter.Updates.Should().BeLessThan(aWeeksChanges, $"a week of updates to {table} is vacuumed");
            vacuumedAfter.Inserts.Should().BeLessThan(aWeeksChanges, $"a week of inserts into {table} is vacuumed");
        }
    }

    private sealed record VacuumedAfter(bool Enabled, double Updates, double Inserts);

    [Fact]
    public async Task A_refit_replaces_its_own_shops_scores_and_leaves_the_other_shops_as_they_were()
    {
        await RefitAsync(_north.ShopId);
        await RefitAsync(_south.ShopId);
        var (north, south) = (await ScoresAsync(_north.ShopId), await ScoresAsync(_south.ShopId));
        north.Should().HaveCount(30);
        south.Should().HaveCount(30);

        // A week on, the north shop is refitted: every one of its customers has been away a week longer.
        _time.Advance(TimeSpan.FromDays(7));
        await RefitAsync(_north.ShopId);

        var northAfter = await ScoresAsync(_north.ShopId);
        northAfter.Keys.Should().BeEquivalentTo(north.Keys);
        northAfter.Values.Where(p => p.ProbabilityAlive < north[p.CustomerId].ProbabilityAlive).Should().NotBeEmpty(
            "a week more of silence lowers some customers' chance of being active");
        (await ScoresAsync(_south.ShopId)).Should().BeEquivalentTo(south, "the south shop was not refitted");
        await using (var db = _app.CreateDbContext())
        {
            (await db.CustomerModelFits.SingleAsync(f => f.ShopId == _north.ShopId)).DataThrough.Should().Be(new DateOnly(2026, 11, 29));
            (await db.CustomerModelFits.SingleAsync(f => f.ShopId == _south.ShopId)).DataThrough.Should().Be(new DateOnly(2026, 11, 22));
        }
        (await ScoreTablesAsync()).Should().Equal("customer_predictions", CustomerPredictionPartitions.NameOf(_north.ShopId), CustomerPredictionPartitions.NameOf(_south.ShopId));
    }

    [Fact]
    public async Task A_redacted_shops_scores_go_at_once_and_its_partition_with_the_next_weekly_run()
    {
        await RefitAsync(_north.ShopId);
        await RefitAsync(_south.ShopId);

        (await _app.PostWebhookAsync("shop/redact", _south.Domain, $$"""{"shop_id":2,"shop_domain":"{{_south.Domain}}"}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        await _app.ProcessWebhooksAsync();
        (await ScoresAsync(_south.ShopId)).Should().BeEmpty();

        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionDispatcher>().RunAsync(CancellationToken.None);
        (await ScoreTablesAsync()).Should().Equal("customer_predictions", CustomerPredictionPartitions.NameOf(_north.ShopId));
        (await ScoresAsync(_north.ShopId)).Should().HaveCount(30);
    }

    /// <summary>Each index of a table besides its key, by definition (what follows USING), as PostgreSQL prints it.</summary>
    private async Task<List<string>> IndexesAsync(string table)
    {
        await using var db = _app.CreateDbContext();
        return await db.Database.SqlQuery<string>($"""
            SELECT substring(pg_get_indexdef(indexrelid) from ' USING .*$') AS "Value" FROM pg_index
            WHERE indrelid = to_regclass({table}) AND NOT indisprimary ORDER BY 1
            """).ToListAsync();
    }

    [Fact]
    public async Task Indexes_a_deploy_changes_while_a_refit_runs_are_built_before_its_swap_takes_the_whole_table()
    {
        await RefitAsync(_north.ShopId);
        await RefitAsync(_south.ShopId);
        var before = await ScoresAsync(_north.ShopId);
        var current = CustomerPredictionPartitions.NameOf(_north.ShopId);
        using var scope = _app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var partitions = scope.ServiceProvider.GetRequiredService<CustomerPredictionPartitions>();
        // The north shop's refit has written its next scores, with the indexes the table had then.
        await partitions.WriteNextAsync(_north.ShopId, next =>
        {
            var copyOfCurrent = $"INSERT INTO {next} SELECT * FROM {current}";
            return db.Database.ExecuteSqlRawAsync(copyOfCurrent);
        }, CancellationToken.None);

        // A deploy's migration changes them before the refit swaps in: one index goes, another comes.
        await using (var migration = _app.CreateDbContext())
            await migration.Database.ExecuteSqlRawAsync("""
                DROP INDEX ix_customer_predictions_overdue_on_sort;
                CREATE INDEX ix_customer_predictions_overdue_on_latest ON customer_predictions (coalesce(overdue_on, 'infinity') DESC, customer_id, shop_id);
                """);
        var wanted = await IndexesAsync("customer_predictions");

        // Every index built from here on is noted, with whether its builder held the whole table (every shop waiting). An
        // ATTACH builds what its partition lacks inside its own command: that leaves no note at all.
        await using (var watch = _app.CreateDbContext())
            await watch.Database.ExecuteSqlRawAsync("""
                CREATE TABLE index_builds (index_name text, table_name text, whole_table_held boolean);
                CREATE FUNCTION note_index_build() RETURNS event_trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO index_builds
                    SELECT c.object_identity, i.indrelid::regclass::text, EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid()
                        AND l.relation = 'customer_predictions'::regclass AND l.mode = 'AccessExclusiveLock')
                    FROM pg_event_trigger_ddl_commands() c JOIN pg_index i ON i.indexrelid = c.objid;
                END $$;
                CREATE EVENT TRIGGER note_index_builds ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION note_index_build();
                """);

        await partitions.SwapInAsync(_north.ShopId, _ => Task.CompletedTask, CancellationToken.None);

        (await IndexesAsync(current)).Should().Equal(wanted, "the swapped-in scores carry the table's indexes as they are now, and no stale one");
        await using var check = _app.CreateDbContext();
        var builds = await check.Database.SqlQuery<IndexBuild>($"SELECT table_name AS table, whole_table_held FROM index_builds").ToListAsync();
        builds.Should().ContainSingle("the one index the next table lacked was built by the swap itself, not by its ATTACH")
            .Which.Should().Be(new IndexBuild(CustomerPredictionPartitions.NextOf(_north.ShopId), WholeTableHeld: false), "only the north shop waited for it");
        (await ScoresAsync(_north.ShopId)).Should().BeEquivalentTo(before);
        (await ScoresAsync(_south.ShopId)).Should().HaveCount(30);
    }

    private sealed record IndexBuild(string Table, bool WholeTableHeld);

    [Fact]
    public async Task A_rescoring_without_a_transaction_of_its_own_waits_for_a_swap_in_progress()
    {
        await RefitAsync(_north.ShopId);
        await using (var db = _app.CreateDbContext())
            await db.CustomerPredictions.Where(p => p.ShopId == _north.ShopId && p.CustomerId == 3).ExecuteDeleteAsync();

        // A refit is swapping in the north shop's scores: it holds the shop's swap lock until it commits.
        await using var swapping = await HoldSwapAsync(_north.ShopId);

        // Reconciliation rescores a customer outside any transaction: its scores must land after the swap, not in the
        // partition the swap is about to drop.
        using var scope = _app.Services.CreateScope();
        var rescoring = scope.ServiceProvider.GetRequiredService<CustomerRescoring>().RescoreAsync(_north.ShopId, [3], CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the rescoring waits for the swap");
        rescoring.IsCompleted.Should().BeFalse();
        (await ScoresAsync(_north.ShopId)).Should().NotContainKey(3);

        await swapping.CommitAsync();
        await rescoring.WaitAsync(TimeSpan.FromSeconds(30));
        (await ScoresAsync(_north.ShopId)).Should().ContainKey(3);
    }

    /// <summary>What a refit holds while it swaps in a shop's scores (its catch-up, then the swap): the shop's swap lock, until it commits.</summary>
    private async Task<NpgsqlTransaction> HoldSwapAsync(long shopId)
    {
        var swap = new NpgsqlConnection(_app.ConnectionString);
        await swap.OpenAsync();
        var swapping = await swap.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CustomerPredictionPartitions.SwapLockNamespace}, {(int)shopId})", swap, swapping);
        await hold.ExecuteNonQueryAsync();
        return swapping;
    }

    // The swap's catch-up rescores the customers whose rollups changed since the refit read them, then counts the scored
    // customers against those with orders to find rows of deleted ones. A change of rollups or a deletion that committed
    // between the two would go unseen (a stale row kept, a customer left without scores): every writer of them waits for
    // a swap in progress, and a swap waits for them.

    [Fact]
    public async Task A_customer_deleted_in_Shopify_is_deleted_after_a_swap_in_progress_not_during_it()
    {
        await RefitAsync(_north.ShopId);
        await using var swapping = await HoldSwapAsync(_north.ShopId);

        // The customers/delete webhook, as its batch applies it: in the batch's transaction.
        using var scope = _app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        await using var batch = await db.Database.BeginTransactionAsync();
        var deleting = scope.ServiceProvider.GetRequiredService<WinBack.Web.Sync.SyncWriter>().DeleteCustomerAsync(_north.ShopId, 3, CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the deletion waits for the swap");
        deleting.IsCompleted.Should().BeFalse();

        await swapping.CommitAsync();
        await deleting.WaitAsync(TimeSpan.FromSeconds(30));
        await batch.CommitAsync();
        await using var check = _app.CreateDbContext();
        (await check.Customers.AnyAsync(c => c.ShopId == _north.ShopId && c.Id == 3)).Should().BeFalse();
        (await ScoresAsync(_north.ShopId)).Should().NotContainKey(3, "a deleted customer's data leaves with them");
    }

    [Fact]
    public async Task A_customer_deleted_while_another_batch_moves_their_order_away_is_deleted_and_neither_batch_fails()
    {
        await RefitAsync(_north.ShopId);
        long orderId;
        await using (var db = _app.CreateDbContext())
            orderId = await db.Orders.Where(o => o.ShopId == _north.ShopId && o.CustomerId == 3).Select(o => o.Id).FirstAsync();

        // A batch moving customer 3's order to customer 4 holds the order's row; its flush rescores customer 3 afterwards.
        await using var moving = new NpgsqlConnection(_app.ConnectionString);
        await moving.OpenAsync();
        await using var move = await moving.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand($"UPDATE orders SET customer_id = 4 WHERE shop_id = {_north.ShopId} AND id = {orderId}", moving, move))
            await update.ExecuteNonQueryAsync();

        // Meanwhile customers/delete for customer 3 arrives in another batch, and waits for the order's row.
        using var scope = _app.Services.CreateScope();
        var deleter = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        await using var delete = await deleter.Database.BeginTransactionAsync();
        var deleting = scope.ServiceProvider.GetRequiredService<WinBack.Web.Sync.SyncWriter>().DeleteCustomerAsync(_north.ShopId, 3, CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the deletion waits for the moved order");

        // The first batch's rescoring removes customer 3's scores (no order left) and commits: the deletion must not hold them.
        await using (var rescore = new NpgsqlCommand($"DELETE FROM customer_predictions WHERE shop_id = {_north.ShopId} AND customer_id = 3", moving, move) { CommandTimeout = 10 })
            await rescore.ExecuteNonQueryAsync();
        await move.CommitAsync();
        await deleting.WaitAsync(TimeSpan.FromSeconds(30));
        await delete.CommitAsync();

        await using var check = _app.CreateDbContext();
        (await check.Customers.AnyAsync(c => c.ShopId == _north.ShopId && c.Id == 3)).Should().BeFalse();
        (await check.Orders.SingleAsync(o => o.ShopId == _north.ShopId && o.Id == orderId)).CustomerId.Should().Be(4, "the order moved before the deletion");
        (await ScoresAsync(_north.ShopId)).Should().NotContainKey(3);
    }

    [Fact]
    public async Task A_reconciliation_that_waits_for_a_swap_writes_its_orders_with_their_rollups_not_before_them()
    {
        await RefitAsync(_north.ShopId);
        await using var swapping = await HoldSwapAsync(_north.ShopId);

        // Reconciliation found an order of customer 4 the webhooks missed; it flushes outside any transaction of its caller.
        using var scope = _app.Services.CreateScope();
        var writer = scope.ServiceProvider.GetRequiredService<WinBack.Web.Sync.SyncWriter>();
        var order = new WinBack.Web.Sync.OrderRow(990_004, 4, "#990004", Now.AddDays(-1), Now.AddDays(-1), null, false, 12.50m, "USD");
        writer.UpsertOrders(_north.ShopId, "USD", [(order, null)]);
        var flushing = writer.FlushAsync(CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the rollups' recompute waits for the swap");
        await using (var db = _app.CreateDbContext())
            (await db.Orders.AnyAsync(o => o.ShopId == _north.ShopId && o.Id == 990_004)).Should().BeFalse("an order is not seen without the totals it changes");

        await swapping.CommitAsync();
        await flushing.WaitAsync(TimeSpan.FromSeconds(30));
        await using var check = _app.CreateDbContext();
        var customer = await check.Customers.SingleAsync(c => c.ShopId == _north.ShopId && c.Id == 4);
        (customer.OrdersCount, customer.LastOrderAt).Should().Be((check.Orders.Count(o => o.ShopId == _north.ShopId && o.CustomerId == 4), order.ProcessedAt));
    }

    [Fact]
    public async Task A_recompute_of_a_shops_rollups_waits_for_a_swap_in_progress_and_then_lands()
    {
        await RefitAsync(_north.ShopId);
        // Customer 4's orders were cancelled by a path that left the rollups behind (what the operator's recompute repairs).
        await using (var db = _app.CreateDbContext())
            await db.Orders.Where(o => o.ShopId == _north.ShopId && o.CustomerId == 4).ExecuteUpdateAsync(o => o.SetProperty(x => x.CancelledAt, Now.AddDays(-1)));
        await using var swapping = await HoldSwapAsync(_north.ShopId);

        using var scope = _app.Services.CreateScope();
        var recompute = scope.ServiceProvider.GetRequiredService<WinBack.Web.Sync.CustomerRollups>().RecomputeShopAsync(_north.ShopId, CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the recompute waits for the swap");
        recompute.IsCompleted.Should().BeFalse();

        await swapping.CommitAsync();
        (await recompute.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(1, "only customer 4's rollups changed");
        await using var check = _app.CreateDbContext();
        (await check.Customers.SingleAsync(c => c.ShopId == _north.ShopId && c.Id == 4)).OrdersCount.Should().Be(0);
    }

    [Fact]
    public async Task A_refit_waiting_for_another_shops_long_query_does_not_hold_up_that_shops_report()
    {
        await RefitAsync(_north.ShopId);
        await RefitAsync(_south.ShopId);
        var before = await ScoresAsync(_north.ShopId);
        _time.Advance(TimeSpan.FromDays(7));

        // The south shop's merchant exports a long list: a query that reads the scores for seconds.
        await using var export = new NpgsqlConnection(_app.ConnectionString);
        await export.OpenAsync();
        await using var exporting = await export.BeginTransactionAsync();
        await using (var read = new NpgsqlCommand($"SELECT count(*) FROM customer_predictions WHERE shop_id = {_south.ShopId}", export, exporting))
            await read.ExecuteScalarAsync();

        var refit = RefitAsync(_north.ShopId);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the north shop's swap waits for the export");
        // Meanwhile the south shop's merchant reads pages, and its customers are rescored as their orders change (through
        // the scores' table, which the north shop's swap is waiting to lock).
        var south = _app.CreateClientFor(_south.Domain);
        var slowest = TimeSpan.Zero;
        for (var round = 0; round < 10; round++)
        {
            var started = Stopwatch.GetTimestamp();
            (await south.GetAsync("/api/reports/inactive?sort=pAlive")).StatusCode.Should().Be(HttpStatusCode.OK);
            using (var scope = _app.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<CustomerRescoring>().RescoreAsync(_south.ShopId, [1, 2, 4], CancellationToken.None);
            var took = Stopwatch.GetElapsedTime(started);
            if (took > slowest) slowest = took;
        }
        slowest.Should().BeLessThan(TimeSpan.FromSeconds(2), "the swap waits its turn a moment at a time, not in front of every other shop's work");
        refit.IsCompleted.Should().BeFalse("the north shop's scores cannot be swapped in while the export reads the table");

        await exporting.CommitAsync();
        await refit.WaitAsync(TimeSpan.FromSeconds(60));
        var after = await ScoresAsync(_north.ShopId);
        after.Values.Where(p => p.ProbabilityAlive < before[p.CustomerId].ProbabilityAlive).Should().NotBeEmpty("the refit swapped in once the export ended");
    }

    [Fact]
    public async Task A_shops_work_on_its_scores_never_waits_for_another_shops_partition()
    {
        await RefitAsync(_north.ShopId);
        await RefitAsync(_south.ShopId);
        var east = await SeedAsync("east.myshopify.com"); // installed, not yet fitted: no partition of its own

        // The south shop's partition is locked for as long as an operator's rebuild of it takes. PostgreSQL plans a statement
        // that names the scores' table with the shop as a parameter over every shop's partition, and locks each: at once
        // for an outer join, and in the plan it keeps for a prepared statement (a generic plan, forced below for the
        // rescoring's and erasure's statements; PostgreSQL picks one by cost). At thousands of shops that is more locks
        // than the server holds ("out of shared memory"); here it is a wait behind the south shop.
        await using var rebuild = new NpgsqlConnection(_app.ConnectionString);
        await rebuild.OpenAsync();
        await using var rebuilding = await rebuild.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"LOCK TABLE {CustomerPredictionPartitions.NameOf(_south.ShopId)} IN ACCESS EXCLUSIVE MODE", rebuild, rebuilding))
            await take.ExecuteNonQueryAsync();
        try
        {
            using var eastMerchant = _app.CreateClientFor(east.Domain);
            using var scope = _app.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
            var rescoring = scope.ServiceProvider.GetRequiredService<CustomerRescoring>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("SET LOCAL plan_cache_mode = force_generic_plan");
            for (var round = 0; round < 20; round++)
            {
                // A wait is cancelled after ten seconds (the statement with it), and the test fails there.
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var page = await eastMerchant.GetAsync("/api/reports/inactive?list=all", patience.Token);
                page.StatusCode.Should().Be(HttpStatusCode.OK, $"round {round}");
                await rescoring.RescoreAsync(_north.ShopId, [1, 2, 4], patience.Token);
                await rescoring.ScoreStaleAsync(_north.ShopId, patience.Token);
                await CustomerErasure.EraseAsync(db, _north.ShopId, [9_999], patience.Token);
            }
            await transaction.CommitAsync();
        }
        finally
        {
            await rebuilding.RollbackAsync();
        }
        (await ScoresAsync(_north.ShopId)).Should().HaveCount(30);
    }
}
