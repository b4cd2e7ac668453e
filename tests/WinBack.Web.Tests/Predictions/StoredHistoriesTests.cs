using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Data;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// The weekly refit reads from the orders only the customers whose orders changed since the last refit, and takes the
/// others as that refit folded them; it folds everyone exactly as reading every order would. A generated shop (two
/// years of customers drawn from a buy-till-you-die process) is refitted, some of its customers' orders change through
/// webhooks, and a week later it is refitted again.
/// </summary>
public sealed class StoredHistoriesTests : IAsyncLifetime
{
    private readonly MovableClock _clock = new();
    private WinBackApp _app = null!;
    private string _domain = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        (_app, _) = await WinBackApp.StartWithSimulatorAsync("stored-histories", _clock);
        _domain = "kept.myshopify.com";
        (_, _shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop(_domain, Orders: 3_000, Seed: 23));
        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(_shopId, CancellationToken.None));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The refit's read (as the job computes it) and every order read afresh, in the shop's calendar as it is now.</summary>
    private async Task<(List<CustomerHistory> Refit, List<CustomerHistory> EveryOrder)> ReadBothWaysAsync(string timeZone = "America/New_York")
    {
        using var scope = _app.Services.CreateScope();
        var refit = await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().ComputeAsync(_shopId, CancellationToken.None);
        var calendar = (await scope.ServiceProvider.GetRequiredService<ReportScopes>().LoadAsync(_shopId, CancellationToken.None)).Calendar;
        calendar.Zone.Id.Should().Be(timeZone);
        var everyOrder = await scope.ServiceProvider.GetRequiredService<CustomerHistories>().ReadAsync(_shopId, calendar, customerIds: null, CancellationToken.None);
        return (refit.Histories, everyOrder);
    }

    /// <summary>The refit's read from what is kept, as <paramref name="looked"/> (by default, what is kept now) says it is.</summary>
    private async Task<CustomerHistories.KeptRead?> ReadSinceKeptAsync(List<DateOnly[]> days, StoredHistoriesState? looked = null)
    {
        using var scope = _app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var calendar = (await scope.ServiceProvider.GetRequiredService<ReportScopes>().LoadAsync(_shopId, CancellationToken.None)).Calendar;
        var kept = looked ?? await StoredHistories.StateAsync(db, _shopId, CancellationToken.None);
        return await scope.ServiceProvider.GetRequiredService<CustomerHistories>().ReadSinceAsync(_shopId, calendar, kept, CancellationToken.None, 30, days);
    }

    private async Task OrderWebhookAsync(string topic, long orderId, long customerId, DateTimeOffset placed, string total, bool cancelled = false)
    {
        var order = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = orderId, name = $"#{orderId}", processed_at = placed, created_at = placed, updated_at = _clock.GetUtcNow(),
            cancelled_at = cancelled ? _clock.GetUtcNow() : (DateTimeOffset?)null, test = false,
            current_total_price_set = new { shop_money = new { amount = total, currency_code = "USD" } },
            customer = new { id = customerId, updated_at = _clock.GetUtcNow() },
        });
        (await _app.PostWebhookAsync(topic, _domain, order)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_weekly_refit_reads_the_orders_of_changed_customers_only_and_folds_everyone_as_reading_every_order_does()
    {
        List<WinBack.Web.Sync.Order> orders;
        await using (var db = _app.CreateDbContext())
            orders = await db.Orders.Where(o => o.ShopId == _shopId && o.CustomerId != null && !o.Test && o.CancelledAt == null)
                .OrderBy(o => o.CustomerId).ThenBy(o => o.ProcessedAt).ToListAsync();
        var byCustomer = orders.GroupBy(o => o.CustomerId!.Value).Where(g => g.Count() >= 3).Take(4).ToList();
        // One customer's first order is cancelled, another's orders are refunded down to 1.00, a third orders again today,
        // and a fourth's middle order is cancelled.
        var (first, refunded, again, middle) = (byCustomer[0], byCustomer[1], byCustomer[2], byCustomer[3]);
        await OrderWebhookAsync("orders/cancelled", first.First().Id, first.Key, first.First().ProcessedAt, "0.00", cancelled: true);
        foreach (var order in refunded) await OrderWebhookAsync("orders/updated", order.Id, refunded.Key, order.ProcessedAt, "1.00");
        await OrderWebhookAsync("orders/create", 9_000_001, again.Key, _clock.GetUtcNow(), "42.50");
        var middleOrder = middle.ElementAt(1);
        await OrderWebhookAsync("orders/cancelled", middleOrder.Id, middle.Key, middleOrder.ProcessedAt, "0.00", cancelled: true);
        await _app.ProcessWebhooksAsync();
        _clock.MoveOn(TimeSpan.FromDays(7));

        var days = new List<DateOnly[]>();
        var read = await ReadSinceKeptAsync(days);
        read.Should().NotBeNull("four customers of hundreds changed");
        read!.FromOrders.Should().Be(4, "only the four changed customers' orders are read");
        var (refit, everyOrder) = await ReadBothWaysAsync();
        read.Histories.Should().Equal(everyOrder, "the kept customers, a week older, are folded as their orders fold");
        refit.Should().Equal(everyOrder);
        refit.Single(h => h.CustomerId == again.Key).Orders.Should().Be(again.Count() + 1, "the new order counts");
        refit.Single(h => h.CustomerId == middle.Key).Orders.Should().Be(middle.Count() - 1, "the cancelled one does not");
        refit.Single(h => h.CustomerId == refunded.Key).TotalSpent.Should().Be(refunded.Count(), "each order is now worth 1.00");
        days.Select(d => d.Length).Should().Equal(everyOrder.Select(h => h.Buyer.Frequency + 1), "each customer's order days are the holdout check's");
    }

    [Fact]
    public async Task A_customer_deleted_in_Shopify_between_refits_is_passed_over_and_their_deletion_forgotten_once_the_next_read_is_kept()
    {
        long deleted, ordersAgain;
        await using (var db = _app.CreateDbContext())
        {
            var repeat = await db.Customers.Where(c => c.ShopId == _shopId && c.OrdersCount > 1).OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync();
            (deleted, ordersAgain) = (repeat[0], repeat[1]);
        }
        // One customer is deleted in Shopify (their orders stay, without a customer), another orders again.
        (await _app.PostWebhookAsync("customers/delete", _domain, $$"""{"id":{{deleted.ToString(CultureInfo.InvariantCulture)}}}""")).EnsureSuccessStatusCode();
        await OrderWebhookAsync("orders/create", 9_000_002, ordersAgain, _clock.GetUtcNow(), "17.00");
        await _app.ProcessWebhooksAsync();
        _clock.MoveOn(TimeSpan.FromDays(7));

        var read = await ReadSinceKeptAsync([]);
        read.Should().NotBeNull();
        read!.FromOrders.Should().Be(1, "only the customer who ordered again is read from their orders; the deleted one has none to read");
        var (refit, everyOrder) = await ReadBothWaysAsync();
        read.Histories.Should().Equal(everyOrder);
        refit.Should().Equal(everyOrder).And.NotContain(h => h.CustomerId == deleted, "a customer without a row is not scored");

        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(_shopId, CancellationToken.None));
        await using (var db = _app.CreateDbContext())
        {
            (await db.CustomerPredictions.AnyAsync(p => p.ShopId == _shopId && p.CustomerId == deleted)).Should().BeFalse();
            (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM customer_deletions WHERE shop_id = {_shopId}").SingleAsync())
                .Should().Be(0, "the kept read no longer holds the deleted customer, so the next refit need not be told");
        }
        _clock.MoveOn(TimeSpan.FromDays(7));
        (refit, everyOrder) = await ReadBothWaysAsync();
        refit.Should().Equal(everyOrder);
    }

    [Fact]
    public async Task After_the_shops_time_zone_changes_the_refit_folds_every_order_in_the_new_one()
    {
        await using (var db = _app.CreateDbContext())
            await db.Shops.Where(s => s.Id == _shopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.IanaTimezone, "Pacific/Kiritimati"));
        _clock.MoveOn(TimeSpan.FromDays(7));

        var (refit, everyOrder) = await ReadBothWaysAsync("Pacific/Kiritimati");
        refit.Should().Equal(everyOrder, "order days are the shop's local days, fourteen hours ahead of UTC now");
    }

    [Fact]
    public async Task A_kept_block_that_cannot_be_read_or_a_snapshot_ahead_of_the_database_makes_the_refit_read_every_order()
    {
        List<WinBack.Web.Sync.Order> orders;
        await using (var db = _app.CreateDbContext())
            orders = await db.Orders.Where(o => o.ShopId == _shopId && o.CustomerId != null && !o.Test && o.CancelledAt == null).OrderBy(o => o.Id).Take(2).ToListAsync();
        await OrderWebhookAsync("orders/cancelled", orders[0].Id, orders[0].CustomerId!.Value, orders[0].ProcessedAt, "0.00", cancelled: true);
        await _app.ProcessWebhooksAsync();
        _clock.MoveOn(TimeSpan.FromDays(7));

        // The kept blocks cut short: the refit says so in its log and reads every order.
        await using (var db = _app.CreateDbContext())
            await db.Database.ExecuteSqlAsync($"UPDATE customer_history_blocks SET data = '\\x0a05'::bytea WHERE shop_id = {_shopId}");
        var (refit, everyOrder) = await ReadBothWaysAsync();
        refit.Should().Equal(everyOrder);

        // A snapshot ahead of the database's transaction ids (as a restored copy of the database would have): the changes
        // since it would look older than it, so the refit reads every order.
        await OrderWebhookAsync("orders/cancelled", orders[1].Id, orders[1].CustomerId!.Value, orders[1].ProcessedAt, "0.00", cancelled: true);
        await _app.ProcessWebhooksAsync();
        await using (var db = _app.CreateDbContext())
            await db.Database.ExecuteSqlAsync($"UPDATE customer_history_snapshots SET read_snapshot = '4000000000:4000000000:' WHERE shop_id = {_shopId}");
        (refit, everyOrder) = await ReadBothWaysAsync();
        refit.Should().Equal(everyOrder, "the second cancelled order no longer counts");
    }

    [Fact]
    public async Task Erasing_a_customer_drops_what_the_last_refit_kept_and_a_refit_that_read_before_the_erasure_keeps_nothing()
    {
        long customerId;
        await using (var db = _app.CreateDbContext())
        {
            (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM customer_history_blocks WHERE shop_id = {_shopId}").SingleAsync())
                .Should().BeGreaterThan(0, "the first refit kept what it read");
            customerId = await db.Customers.Where(c => c.ShopId == _shopId && c.OrdersCount > 1).Select(c => c.Id).FirstAsync();
        }
        StoredHistoriesState before;
        using (var scope = _app.Services.CreateScope())
            before = await StoredHistories.StateAsync(scope.ServiceProvider.GetRequiredService<WinBackDbContext>(), _shopId, CancellationToken.None);

        var redact = $$"""{"shop_id":1,"shop_domain":"{{_domain}}","customer":{"id":{{customerId.ToString(CultureInfo.InvariantCulture)}}},"orders_to_redact":[]}""";
        (await _app.PostWebhookAsync("customers/redact", _domain, redact)).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();

        await using (var db = _app.CreateDbContext())
        {
            (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM customer_history_blocks WHERE shop_id = {_shopId}").SingleAsync())
                .Should().Be(0, "the kept histories held the erased customer's orders");
            var after = await StoredHistories.StateAsync(db, _shopId, CancellationToken.None);
            after.ReadSnapshot.Should().BeNull();
            after.Erasures.Should().Be(before.Erasures + 1);

            // A refit that read before the erasure (and so read the erased customer's orders) does not keep what it read.
            await using var connection = await db.Database.OpenAnotherConnectionAsync(CancellationToken.None);
            var stale = new CustomerHistory(customerId, new WinBack.Analytics.RepeatBuyer(1, 1, 2, 10), 7, new DateOnly(2026, 1, 1), DateTimeOffset.UnixEpoch, 2, 20m);
            (await StoredHistories.WriteAsync(connection, _shopId, before, "1:1:", "UTC", new DateOnly(2026, 1, 1), [stale], [[new DateOnly(2026, 1, 1)]], CancellationToken.None))
                .Should().BeFalse();
            (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM customer_history_blocks WHERE shop_id = {_shopId}").SingleAsync())
                .Should().Be(0);
        }

        // The next refit reads every order (nothing is kept to read from), and keeps what it read again.
        _clock.MoveOn(TimeSpan.FromDays(7));
        var (refit, everyOrder) = await ReadBothWaysAsync();
        refit.Should().Equal(everyOrder);
        refit.Should().NotContain(h => h.CustomerId == customerId);
        using (var scope = _app.Services.CreateScope())
            (await StoredHistories.StateAsync(scope.ServiceProvider.GetRequiredService<WinBackDbContext>(), _shopId, CancellationToken.None))
                .ReadSnapshot.Should().NotBeNull("the refit after the erasure kept what it read");
    }

    [Fact]
    public async Task A_refit_that_looked_at_the_kept_copy_before_an_erasure_dropped_it_reads_every_order_not_an_empty_copy()
    {
        StoredHistoriesState looked;
        long customerId;
        using (var scope = _app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
            looked = await StoredHistories.StateAsync(db, _shopId, CancellationToken.None);
            customerId = await db.Customers.Where(c => c.ShopId == _shopId && c.OrdersCount > 0).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        }
        looked.ReadSnapshot.Should().NotBeNull();
        // The erasure lands between the refit's look at what is kept and its read of the blocks.
        var redact = $$"""{"shop_id":1,"shop_domain":"{{_domain}}","customer":{"id":{{customerId.ToString(CultureInfo.InvariantCulture)}}},"orders_to_redact":[]}""";
        (await _app.PostWebhookAsync("customers/redact", _domain, redact)).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        _clock.MoveOn(TimeSpan.FromDays(7));

        var days = new List<DateOnly[]>();
        (await ReadSinceKeptAsync(days, looked)).Should().BeNull("the copy it looked at is gone: read as kept, it would leave every unchanged customer unscored");
        days.Should().BeEmpty();
    }
}
