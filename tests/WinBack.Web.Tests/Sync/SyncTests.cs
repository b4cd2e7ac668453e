using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Shopify;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Sync;

/// <summary>The synced copy against the simulator's truth, built the Shopify way: bulk exports, mutations, webhooks.</summary>
public sealed class SyncTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("sync");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Cancels the shop's last qualifying orders in Shopify without a webhook: only a full sync can learn of it.</summary>
    private static List<SimulatedOrder> CancelWithoutWebhooks(SimulatedShop shop, int count = 1)
    {
        lock (shop.Sync)
        {
            var orders = shop.Orders.Where(QualifyingOrdersOracle.IsQualifying).TakeLast(count).ToList();
            foreach (var order in orders) order.CancelledAt = order.UpdatedAt = DateTimeOffset.UtcNow;
            return orders;
        }
    }

    /// <summary>Marks the shop's resources (or one) as due for a new full import, as "sync now" does.</summary>
    private async Task QueueFullSyncAsync(long shopId, SyncResource? only = null)
    {
        await using var db = _app.CreateDbContext();
        await db.SyncStates.Where(s => s.ShopId == shopId && (only == null || s.Resource == only)).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SyncStatus.Queued).SetProperty(x => x.BulkOperationId, (string?)null));
    }

    private async Task<JsonElement> MutateAsync(long shopId, string mutation, object? variables = null)
    {
        using var scope = _app.Services.CreateScope();
        var credentials = await scope.ServiceProvider.GetRequiredService<ShopAccessTokens>().GetAsync(shopId);
        var result = await scope.ServiceProvider.GetRequiredService<ShopifyGraphQLClient>().ExecuteAsync<JsonElement>(credentials, mutation, variables);
        await _simulator.Runtime.Webhooks.DrainAsync();
        await _app.ProcessWebhooksAsync();
        return result.Data;
    }

    /// <summary>What PRODUCT.md says each customer's rollups are, computed from the simulator's own data.</summary>
    private static Dictionary<long, (int Count, DateTimeOffset? Last, decimal Total)> Truth(SimulatedShop shop, Func<SimulatedOrder, bool>? visible = null)
    {
        lock (shop.Sync)
        {
            return shop.Customers.ToDictionary(c => c.Id, c =>
            {
                var qualifying = shop.QualifyingOrdersOf(c.Id).Where(o => visible?.Invoke(o) ?? true).ToList();
                return (qualifying.Count, qualifying.Count == 0 ? (DateTimeOffset?)null : qualifying.Max(o => o.ProcessedAt), qualifying.Sum(o => o.CurrentTotalPrice));
            });
        }
    }

    private async Task<Dictionary<long, (int Count, DateTimeOffset? Last, decimal Total)>> CopyAsync(long shopId)
    {
        await using var db = _app.CreateDbContext();
        return await db.Customers.Where(c => c.ShopId == shopId)
            .ToDictionaryAsync(c => c.Id, c => (c.OrdersCount, c.LastOrderAt, c.TotalSpent));
    }

    [Fact]
    public async Task The_first_sync_copies_every_customer_and_order_with_rollups_as_the_definitions_say()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("complete.myshopify.com", Orders: 3_000, Seed: 11));

        await _app.RunSyncAsync(shopId);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
        await using var db = _app.CreateDbContext();
        lock (simulated.Sync) db.Orders.Count(o => o.ShopId == shopId).Should().Be(simulated.Orders.Count);
        (await db.Orders.CountAsync(o => o.ShopId == shopId && o.CustomerId == null)).Should().BeGreaterThan(0, "guest orders are kept, with no customer");
        lock (simulated.Sync)
            db.OrderLineItems.Count(li => li.ShopId == shopId).Should().Be(simulated.Orders.Sum(o => o.LineItems.Count), "line items come along for the product analysis");
        var states = await db.SyncStates.Where(s => s.ShopId == shopId).ToListAsync();
        states.Should().HaveCount(2).And.OnlyContain(s => s.Status == SyncStatus.Completed && s.ObjectsDone == s.ObjectsExpected && s.Watermark != null);
        var monitoring = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var queued = new[] { WinBack.Web.Jobs.JobQueues.Refits, WinBack.Web.Jobs.JobQueues.Default }.SelectMany(q => monitoring.EnqueuedJobs(q, 0, 1000))
            .Where(j => j.Value.Job?.Args.FirstOrDefault() is long id && id == shopId).Select(j => j.Value.Job.Type).ToList();
        queued.Should().Contain([typeof(WinBack.Web.Predictions.CustomerPredictionJob), typeof(WinBack.Web.Reports.RetentionSnapshotJob)],
            "the models are refitted and the retention chart gets its first point as soon as the first sync is done");
    }

    [Fact]
    public async Task A_bulk_export_that_fails_half_way_is_restarted_and_ends_without_duplicates()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("interrupted.myshopify.com", Orders: 2_000, Seed: 11));
        _simulator.Runtime.Bulk.FailNextOperationFor.Add("interrupted.myshopify.com");

        await FluentActions.Awaiting(() => _app.RunSyncAsync(shopId)).Should().ThrowAsync<InvalidOperationException>();
        await using (var db = _app.CreateDbContext())
        {
            var failed = await db.SyncStates.SingleAsync(s => s.ShopId == shopId && s.Resource == SyncResource.Customers);
            failed.Status.Should().Be(SyncStatus.Failed);
            failed.LastError.Should().Contain("INTERNAL_SERVER_ERROR");
        }
        var ordersOperation = await OrdersOperationAsync(shopId);

        await _app.RunSyncAsync(shopId);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
        (await OrdersOperationAsync(shopId)).Should().Be(ordersOperation, "the orders export that had completed is reused, not started over");
    }

    private async Task<string?> OrdersOperationAsync(long shopId)
    {
        await using var db = _app.CreateDbContext();
        return await db.SyncStates.Where(s => s.ShopId == shopId && s.Resource == SyncResource.Orders).Select(s => s.BulkOperationId).SingleAsync();
    }

    [Fact]
    public async Task Without_read_all_orders_only_the_last_60_days_are_synced()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("recent.myshopify.com", Orders: 1_500, Seed: 11, Scopes: ["read_customers", "read_orders"]));
        // Taken just before the export, so only an order placed in the second the sync takes could fall between the two.
        var window = DateTimeOffset.UtcNow.AddDays(-60);

        await _app.RunSyncAsync(shopId);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated, o => o.ProcessedAt >= window));
        await using var db = _app.CreateDbContext();
        (await db.Orders.Where(o => o.ShopId == shopId).MinAsync(o => o.ProcessedAt)).Should().BeAfter(window.AddMinutes(-5));
    }

    [Fact]
    public async Task Without_read_all_orders_the_report_says_what_is_missing_and_since_when_it_counts()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("window.myshopify.com", Orders: 300, Seed: 11, Scopes: ["read_customers", "read_orders"]));

        var summary = (await _app.CreateClientFor("window.myshopify.com").GetFromJsonAsync<WinBack.Web.Reports.InactiveSummary>("/api/reports/inactive/summary"))!;

        await using var db = _app.CreateDbContext();
        var started = await db.SyncStates.Where(s => s.ShopId == shopId && s.Resource == SyncResource.Orders).Select(s => s.StartedAt!.Value).SingleAsync();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var since = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(started.AddDays(-60), zone).DateTime);
        summary.DataWindow.Should().BeEquivalentTo(new { AllOrders = false, OrdersSince = since });
        summary.DataWindow.Missing.Should().Contain("read_all_orders").And.Contain("60 days");
        summary.DataWindow.Consequence.Should().Contain($"since {since.ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture)}").And.Contain("customer without orders");
        summary.DataWindow.HowToAsk.Should().Contain("Sync again");
    }

    [Fact]
    public async Task A_scope_taken_away_after_install_is_seen_at_the_next_sync()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("narrowed.myshopify.com", Orders: 50, Seed: 11));
        var client = _app.CreateClientFor("narrowed.myshopify.com");
        (await client.GetFromJsonAsync<WinBack.Web.Reports.InactiveSummary>("/api/reports/inactive/summary"))!.DataWindow.AllOrders.Should().BeTrue();

        lock (simulated.Sync) simulated.Installation!.Scopes.Remove("read_all_orders");
        await QueueFullSyncAsync(shopId);
        await _app.RunSyncAsync(shopId);

        var window = (await client.GetFromJsonAsync<WinBack.Web.Reports.InactiveSummary>("/api/reports/inactive/summary"))!.DataWindow;
        window.AllOrders.Should().BeFalse();
        window.LongestVisibleWeeks.Should().Be(8, "60 days back from today is 8 whole weeks");
    }

    [Fact]
    public async Task Refunds_and_cancellations_reach_the_rollups_through_webhooks()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("lively.myshopify.com", Orders: 0, Seed: 11));
        var customer = (await MutateAsync(shopId, """mutation { customerCreate(input: { firstName: "Ann", email: "ann@example.com" }) { customer { id } } }"""))
            .GetProperty("customerCreate").GetProperty("customer").GetProperty("id").GetString()!;
        var customerId = ShopifyGid.ToLong(customer);

        async Task<string> OrderAsync(string processedAt, string amount) => (await MutateAsync(shopId, """
            mutation($customer: ID!, $at: DateTime!, $amount: Decimal!) { orderCreate(order: { customerId: $customer, processedAt: $at,
              lineItems: [{ title: "Beans", quantity: 1, priceSet: { shopMoney: { amount: $amount, currencyCode: USD } } }] }) { order { id } } }
            """, new { customer, at = processedAt, amount })).GetProperty("orderCreate").GetProperty("order").GetProperty("id").GetString()!;

        await OrderAsync("2026-08-01T10:00:00Z", "60.00");
        var last = await OrderAsync("2026-09-15T10:00:00Z", "40.00");
        (await CopyAsync(shopId))[customerId].Should().Be((2, DateTimeOffset.Parse("2026-09-15T10:00:00Z"), 100m));
        await using (var db = _app.CreateDbContext())
            (await db.OrderLineItems.Where(li => li.ShopId == shopId && li.OrderId == ShopifyGid.ToLong(last)).Select(li => li.Title).ToListAsync())
                .Should().Equal("Beans");

        await MutateAsync(shopId, """mutation($id: ID!) { refundCreate(input: { orderId: $id, transactions: [{ amount: "15.00", kind: REFUND, gateway: "manual", orderId: $id }] }) { refund { id } } }""",
            new { id = last });
        (await CopyAsync(shopId))[customerId].Should().Be((2, DateTimeOffset.Parse("2026-09-15T10:00:00Z"), 85m), "a refund lowers total spent");

        await MutateAsync(shopId, """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: false, restock: false) { orderCancelUserErrors { message } } }""",
            new { id = last });
        (await CopyAsync(shopId))[customerId].Should().Be((1, DateTimeOffset.Parse("2026-08-01T10:00:00Z"), 60m), "cancelling the last order moves the last order date back");
    }

    [Fact]
    public async Task An_older_update_arriving_late_never_overwrites_a_newer_one_and_a_moved_order_moves_its_total()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("ordering.myshopify.com", Orders: 300, Seed: 11));
        SimulatedOrder order;
        long otherCustomer;
        lock (simulated.Sync)
        {
            order = simulated.Orders.First(QualifyingOrdersOracle.IsQualifying);
            otherCustomer = simulated.Customers.First(c => c.Id != order.CustomerId).Id;
        }

        string Payload(long customer, DateTimeOffset updatedAt, string total) => JsonSerializer.Serialize(new
        {
            id = order.Id, name = order.Name, processed_at = order.ProcessedAt, created_at = order.CreatedAt, updated_at = updatedAt,
            cancelled_at = (string?)null, test = false,
            current_total_price_set = new { shop_money = new { amount = total, currency_code = "USD" } },
            customer = new { id = customer, updated_at = updatedAt },
        });

        var moved = DateTimeOffset.UtcNow.AddMinutes(5);
        await _app.PostWebhookAsync("orders/updated", "ordering.myshopify.com", Payload(otherCustomer, moved, "999.00"));
        await _app.PostWebhookAsync("orders/updated", "ordering.myshopify.com", Payload(order.CustomerId!.Value, moved.AddHours(-1), "1.00"));
        await _app.ProcessWebhooksAsync();

        await using var db = _app.CreateDbContext();
        var stored = await db.Orders.SingleAsync(o => o.ShopId == shopId && o.Id == order.Id);
        stored.CustomerId.Should().Be(otherCustomer);
        stored.CurrentTotal.Should().Be(999m, "the late, older update was ignored");
        var copy = await CopyAsync(shopId);
        copy[otherCustomer].Total.Should().BeGreaterThanOrEqualTo(999m);
        var truthWithoutOrder = Truth(simulated, o => o.Id != order.Id)[order.CustomerId.Value];
        copy[order.CustomerId.Value].Should().Be(truthWithoutOrder, "the first customer's rollups no longer count the moved order");
    }

    [Fact]
    public async Task Reconciliation_heals_a_change_whose_webhook_never_arrived()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("healing.myshopify.com", Orders: 500, Seed: 11));
        SimulatedOrder order;
        lock (simulated.Sync)
        {
            // Changed at Shopify with no webhook delivered: the copy does not know yet.
            order = simulated.Orders.Last(QualifyingOrdersOracle.IsQualifying);
            order.CancelledAt = DateTimeOffset.UtcNow;
            order.UpdatedAt = DateTimeOffset.UtcNow;
        }
        (await CopyAsync(shopId)).Should().NotBeEquivalentTo(Truth(simulated));

        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<ReconciliationJob>().RunAsync(shopId, CancellationToken.None);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
        await using var db = _app.CreateDbContext();
        (await db.SyncStates.Where(s => s.ShopId == shopId).Select(s => s.Watermark).ToListAsync()).Should().OnlyContain(w => w > order.UpdatedAt.AddSeconds(-1));
    }

    [Fact]
    public async Task The_merchant_sees_sync_progress_and_can_ask_for_a_full_sync_but_not_twice_at_once()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("watching.myshopify.com", Orders: 400, Seed: 11));
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            WinBack.ShopifySimulator.OAuth.SessionTokens.Mint("watching.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60)));

        var progress = await client.GetFromJsonAsync<SyncEndpoints.SyncProgress>("/api/sync");
        progress!.Resources.Should().HaveCount(2).And.OnlyContain(r => r.Status == "Completed" && r.ObjectsDone > 0 && r.ObjectsDone == r.ObjectsExpected);

        (await client.PostAsync("/api/sync", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await using (var db = _app.CreateDbContext())
            await db.SyncStates.Where(s => s.ShopId == shopId && s.Resource == SyncResource.Orders).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SyncStatus.Running));
        var again = await client.PostAsync("/api/sync", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).Should().Contain("already running");
    }

    [Fact]
    public async Task A_customer_whose_only_order_was_cancelled_has_no_orders_and_a_deleted_customer_disappears()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("edges.myshopify.com", Orders: 0, Seed: 11));
        string Create(string email) => $$"""mutation { customerCreate(input: { email: "{{email}}" }) { customer { id } } }""";
        var buyer = (await MutateAsync(shopId, Create("once@example.com"))).GetProperty("customerCreate").GetProperty("customer").GetProperty("id").GetString()!;
        var browser = (await MutateAsync(shopId, Create("never@example.com"))).GetProperty("customerCreate").GetProperty("customer").GetProperty("id").GetString()!;
        var order = (await MutateAsync(shopId, """
            mutation($customer: ID!) { orderCreate(order: { customerId: $customer, processedAt: "2026-10-01T10:00:00Z",
              lineItems: [{ title: "Beans", quantity: 1, priceSet: { shopMoney: { amount: "30.00", currencyCode: USD } } }] }) { order { id } } }
            """, new { customer = buyer })).GetProperty("orderCreate").GetProperty("order").GetProperty("id").GetString()!;
        await MutateAsync(shopId, """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: true, restock: true) { orderCancelUserErrors { message } } }""", new { id = order });
        await MutateAsync(shopId, """mutation($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId } }""", new { id = browser });

        var copy = await CopyAsync(shopId);
        copy.Should().ContainKey(ShopifyGid.ToLong(buyer)).WhoseValue.Should().Be((0, (DateTimeOffset?)null, 0m), "a cancelled order is not a qualifying order");
        copy.Should().NotContainKey(ShopifyGid.ToLong(browser));
    }

    [Fact]
    public async Task A_second_full_sync_merges_changes_and_removes_what_shopify_no_longer_has()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("resync.myshopify.com", Orders: 800, Seed: 11));
        long removedCustomer;
        CancelWithoutWebhooks(simulated);
        lock (simulated.Sync)
        {
            var gone = simulated.Customers.First(c => !simulated.OrdersOf(c.Id).Any());
            simulated.Remove(gone);
            removedCustomer = gone.Id;
            simulated.Remove(simulated.Orders.First(o => o.LineItems.Count > 0));
        }
        await QueueFullSyncAsync(shopId);

        await _app.RunSyncAsync(shopId);

        var copy = await CopyAsync(shopId);
        copy.Should().BeEquivalentTo(Truth(simulated));
        copy.Should().NotContainKey(removedCustomer);
        await using var check = _app.CreateDbContext();
        lock (simulated.Sync)
            check.OrderLineItems.Count(li => li.ShopId == shopId).Should().Be(simulated.Orders.Sum(o => o.LineItems.Count), "a removed order's line items go with it");
    }

    [Fact]
    public async Task A_full_sync_that_finds_changes_the_webhooks_missed_rescores_those_customers_before_the_refit_it_queues()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("rescored.myshopify.com", Orders: 300, Seed: 11));
        await _app.RunJobAsync<WinBack.Web.Predictions.CustomerPredictionJob>(job => job.RunAsync(shopId, CancellationToken.None));
        // The latest orders are cancelled, and one customer's every order deleted, without a webhook reaching WinBack.
        var cancelled = CancelWithoutWebhooks(simulated, count: 8);
        long emptied;
        lock (simulated.Sync)
        {
            var buyer = simulated.Customers.First(c => simulated.OrdersOf(c.Id).Count(QualifyingOrdersOracle.IsQualifying) == 1);
            emptied = buyer.Id;
            foreach (var order in simulated.OrdersOf(buyer.Id).ToList()) simulated.Remove(order);
        }
        await QueueFullSyncAsync(shopId);

        await _app.RunSyncAsync(shopId);

        // Before the queued refit runs: every customer with an order is scored for the last order they have now.
        await using var check = _app.CreateDbContext();
        var customers = await check.Customers.Where(c => c.ShopId == shopId).ToDictionaryAsync(c => c.Id);
        var scored = await check.CustomerPredictions.Where(p => p.ShopId == shopId).ToDictionaryAsync(p => p.CustomerId, p => p.ScoredLastOrderAt);
        var moved = cancelled.Where(o => o.CustomerId is { } id && customers[id].OrdersCount > 0).Select(o => o.CustomerId!.Value).Distinct().ToList();
        moved.Should().NotBeEmpty("some customers still have orders after their latest was cancelled");
        scored.Keys.Should().BeEquivalentTo(customers.Values.Where(c => c.OrdersCount > 0).Select(c => c.Id), "every customer with an order has scores, and only they");
        scored.Should().NotContainKey(emptied);
        foreach (var id in scored.Keys) scored[id].Should().Be(customers[id].LastOrderAt!.Value, $"customer {id} is scored for their last order now");
    }

    [Fact]
    public async Task A_customer_a_webhook_updated_after_the_export_keeps_its_newer_details_and_still_gets_the_exported_orders_totals()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("newer-here.myshopify.com", Orders: 600, Seed: 11));
        var customerId = CancelWithoutWebhooks(simulated).Single().CustomerId!.Value;
        // What a customers/update webhook newer than the coming export leaves behind.
        await using (var db = _app.CreateDbContext())
        {
            await db.Customers.Where(c => c.ShopId == shopId && c.Id == customerId).ExecuteUpdateAsync(c => c
                .SetProperty(x => x.FirstName, "Renamed").SetProperty(x => x.UpdatedAt, DateTimeOffset.UtcNow.AddHours(1)));
        }
        await QueueFullSyncAsync(shopId);

        await _app.RunSyncAsync(shopId);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated), "the cancelled order left the customer's totals though their row was newer");
        await using var check = _app.CreateDbContext();
        (await check.Customers.SingleAsync(c => c.ShopId == shopId && c.Id == customerId)).FirstName.Should().Be("Renamed", "an older copy never overwrites a newer one");
    }

    [Fact]
    public async Task An_order_whose_webhook_commits_while_a_full_sync_merges_its_customer_still_counts()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("merge-race.myshopify.com", Orders: 300, Seed: 5));
        long customerId;
        lock (simulated.Sync) customerId = simulated.Orders.Where(QualifyingOrdersOracle.IsQualifying).First().CustomerId!.Value;
        await QueueFullSyncAsync(shopId);

        // The order's webhook batch (the order newer than the coming export) has written it and the customer's rollups,
        // and holds the customer's row until it commits.
        using var webhook = _app.Services.CreateScope();
        var webhookDb = webhook.ServiceProvider.GetRequiredService<WinBack.Web.Data.WinBackDbContext>();
        await using var batch = await webhookDb.Database.BeginTransactionAsync();
        var writer = webhook.ServiceProvider.GetRequiredService<SyncWriter>();
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var newOrder = new OrderRow(990_001, customerId, "#990001", now, now.AddHours(1), null, false, 77.70m, "USD");
        writer.UpsertOrders(shopId, "USD", [(newOrder, null)]);
        await writer.FlushAsync(CancellationToken.None);

        var sync = _app.RunSyncAsync(shopId);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(60))).Should().BeTrue("the sync's merge reaches the customer the batch holds");
        await batch.CommitAsync();
        await sync;

        var expected = Truth(simulated)[customerId];
        (await CopyAsync(shopId))[customerId].Should().Be((expected.Count + 1, newOrder.ProcessedAt, expected.Total + 77.70m),
            "the merge must not write the totals it computed before the batch committed");
    }

    [Fact]
    public async Task A_full_sync_merges_its_customers_after_a_refit_swapping_in_the_shops_scores_not_during_it()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("merge-swap.myshopify.com", Orders: 200, Seed: 17));
        await QueueFullSyncAsync(shopId);
        // A refit is swapping in the shop's scores: its catch-up reads the customers changed and deleted since its read,
        // which a merge committing meanwhile would change under it. It holds the shop's swap lock until it commits.
        await using var swap = new Npgsql.NpgsqlConnection(_app.ConnectionString);
        await swap.OpenAsync();
        await using var swapping = await swap.BeginTransactionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({WinBack.Web.Predictions.CustomerPredictionPartitions.SwapLockNamespace}, {(int)shopId})", swap, swapping))
            await hold.ExecuteNonQueryAsync();

        var sync = _app.RunSyncAsync(shopId);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(60))).Should().BeTrue("the merge waits for the swap");
        sync.IsCompleted.Should().BeFalse();

        await swapping.CommitAsync();
        await sync.WaitAsync(TimeSpan.FromSeconds(60));
        await using var check = _app.CreateDbContext();
        (await check.SyncStates.Where(s => s.ShopId == shopId).Select(s => s.Status).ToListAsync()).Should().OnlyContain(s => s == SyncStatus.Completed);
    }

    [Fact]
    public async Task A_full_sync_keeps_the_line_items_of_an_order_a_newer_webhook_wrote()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("line-items.myshopify.com", Orders: 200, Seed: 13));
        SimulatedOrder order;
        lock (simulated.Sync) order = simulated.Orders.First(o => o.LineItems.Count > 0 && o.CustomerId is not null);
        // An orders/updated newer than the coming export: the order was edited to three of another product.
        (await _app.PostWebhookAsync("orders/updated", simulated.Domain, JsonSerializer.Serialize(new
        {
            id = order.Id, name = order.Name, processed_at = order.ProcessedAt, updated_at = DateTimeOffset.UtcNow.AddHours(1), test = false,
            current_total_price_set = new { shop_money = new { amount = "33.00", currency_code = "USD" } },
            customer = new { id = order.CustomerId, updated_at = DateTimeOffset.UtcNow },
            line_items = new[] { new { id = 880_001, product_id = 4242, title = "Edited in", quantity = 3 } },
        }))).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        await QueueFullSyncAsync(shopId);

        await _app.RunSyncAsync(shopId);

        await using var check = _app.CreateDbContext();
        (await check.OrderLineItems.Where(li => li.ShopId == shopId && li.OrderId == order.Id).Select(li => new { li.Id, li.ProductId, li.Title, li.Quantity }).ToListAsync())
            .Should().BeEquivalentTo([new { Id = 880_001L, ProductId = (long?)4242, Title = "Edited in", Quantity = 3 }], "the export's older lines do not replace the newer edit");
        (await check.Orders.SingleAsync(o => o.ShopId == shopId && o.Id == order.Id)).CurrentTotal.Should().Be(33.00m);
    }

    [Fact]
    public async Task A_sync_that_resumes_with_only_the_orders_left_still_rolls_them_up()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("orders-left.myshopify.com", Orders: 600, Seed: 11));
        CancelWithoutWebhooks(simulated, count: 20);
        await QueueFullSyncAsync(shopId, SyncResource.Orders);

        await _app.RunSyncAsync(shopId);

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
    }

    [Fact]
    public async Task The_operators_full_recompute_puts_wrong_rollups_right_and_leaves_right_ones_alone()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("recompute.myshopify.com", Orders: 500, Seed: 11));
        int withOrders;
        await using (var db = _app.CreateDbContext())
            withOrders = await db.Customers.Where(c => c.ShopId == shopId && c.OrdersCount > 0)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.OrdersCount, 0).SetProperty(x => x.TotalSpent, 0m).SetProperty(x => x.LastOrderAt, (DateTimeOffset?)null));
        var database = new Dictionary<string, string> { ["ConnectionStrings__WinBack"] = _app.ConnectionString };

        var repair = await AppProcess.RunUntilItExitsAsync(database, "recompute-rollups", "recompute.myshopify.com");

        repair.ExitCode.Should().Be(0, repair.Output);
        repair.Output.Should().Contain($"Recomputed the rollups of recompute.myshopify.com: {withOrders} customers changed");
        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
        (await AppProcess.RunUntilItExitsAsync(database, "recompute-rollups", "recompute.myshopify.com")).Output.Should().Contain(": 0 customers changed");
        var unknown = await AppProcess.RunUntilItExitsAsync(database, "recompute-rollups", "nowhere.myshopify.com");
        unknown.ExitCode.Should().Be(1);
        unknown.Output.Should().Contain("No shop nowhere.myshopify.com is installed here");
    }

    [Fact]
    public async Task A_customer_and_an_order_a_webhook_wrote_after_a_full_syncs_export_began_survive_its_merge()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("during-export.myshopify.com", Orders: 400, Seed: 11));
        // What webhooks leave for a shopper who signs up and buys while the next export runs: newer than its start.
        var later = DateTimeOffset.UtcNow.AddMinutes(30);
        await using (var db = _app.CreateDbContext())
        {
            var currency = await db.Shops.Where(s => s.Id == shopId).Select(s => s.CurrencyCode!).SingleAsync();
            db.Customers.Add(new Customer { ShopId = shopId, Id = 990_001, FirstName = "New", LastName = "Shopper", CreatedAt = later, UpdatedAt = later,
                OrdersCount = 1, FirstOrderAt = later, LastOrderAt = later, TotalSpent = 40m });
            db.Orders.Add(new Order { ShopId = shopId, Id = 990_002, CustomerId = 990_001, Name = "#9902", CurrencyCode = currency,
                ProcessedAt = later, UpdatedAt = later, CurrentTotal = 40m });
            db.OrderLineItems.Add(new OrderLineItem { ShopId = shopId, OrderId = 990_002, Id = 990_003, ProductId = 7, Title = "Tea", Quantity = 2 });
            await db.SaveChangesAsync();
        }
        await QueueFullSyncAsync(shopId);

        await _app.RunSyncAsync(shopId);

        await using var check = _app.CreateDbContext();
        var shopper = await check.Customers.SingleOrDefaultAsync(c => c.ShopId == shopId && c.Id == 990_001);
        shopper.Should().NotBeNull("a customer newer than the export is not missing from Shopify, only from the export");
        (shopper!.OrdersCount, shopper.TotalSpent).Should().Be((1, 40m));
        (await check.Orders.SingleAsync(o => o.ShopId == shopId && o.Id == 990_002)).CustomerId.Should().Be(990_001);
        (await check.OrderLineItems.CountAsync(li => li.ShopId == shopId && li.OrderId == 990_002)).Should().Be(1);
    }

    [Fact]
    public async Task An_order_whose_webhook_lands_while_the_first_import_reads_the_export_is_kept_and_the_import_does_not_fail()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("busy-first-day.myshopify.com", Orders: 300, Seed: 11));
        SimulatedOrder order;
        lock (simulated.Sync) order = simulated.Orders.Last(QualifyingOrdersOracle.IsQualifying);
        var cancelled = 0;
        // The merchant cancels an order the export already holds; its webhook is processed before the import writes it.
        _simulator.Runtime.Bulk.BeforeDownload = async (shop, operation) =>
        {
            if (shop != simulated || !operation.Query.Contains("lineItems") || Interlocked.Exchange(ref cancelled, 1) == 1) return;
            await MutateAsync(shopId, """mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, refund: false, restock: false) { orderCancelUserErrors { message } } }""",
                new { id = $"gid://shopify/Order/{order.Id}" });
        };
        try
        {
            await _app.RunSyncAsync(shopId);
        }
        finally
        {
            _simulator.Runtime.Bulk.BeforeDownload = null;
        }

        cancelled.Should().Be(1);
        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated), "the cancellation the webhook brought is not undone by the older export");
        await using var db = _app.CreateDbContext();
        (await db.SyncStates.Where(s => s.ShopId == shopId).Select(s => s.Status).ToListAsync()).Should().AllBeEquivalentTo(SyncStatus.Completed,
            "the merchant's first import does not fail because an order changed while it ran");
        (await db.Orders.SingleAsync(o => o.ShopId == shopId && o.Id == order.Id)).CancelledAt.Should().NotBeNull();
    }

    [Fact]
    public async Task Two_syncs_of_one_shop_at_once_do_the_work_once()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("twice.myshopify.com", Orders: 1_000, Seed: 11));

        await Task.WhenAll(_app.RunSyncAsync(shopId), _app.RunSyncAsync(shopId));

        (await CopyAsync(shopId)).Should().BeEquivalentTo(Truth(simulated));
        lock (simulated.Sync) simulated.BulkOperations.Should().HaveCount(2, "one export per resource, not two");
    }
}
