using System.Diagnostics;
using WinBack.ShopifySimulator.Store;

namespace WinBack.Shopify.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class GraphQLClientTests(SimulatorFixture fixture)
{
    private SimulatedShop ShopOf(ShopifyCredentials credentials) => fixture.Simulator.Runtime.Store.Find(credentials.ShopDomain)!;

    /// <summary>A shop of 500 orders whose bucket holds 120 points and refills 200 a second: one full page of 50 customers
    /// (102 points) at a time.</summary>
    private async Task<ShopifyCredentials> ShopWithASmallBucketAsync()
    {
        var shop = await fixture.InstallShopAsync(orders: 500);
        var simulated = ShopOf(shop);
        lock (simulated.Sync)
        {
            simulated.Bucket.Maximum = 120;
            simulated.Bucket.RestoreRate = 200;
        }
        return shop;
    }

    [Fact]
    public async Task Reads_the_shop_currency_and_timezone()
    {
        var shop = await fixture.InstallShopAsync();
        var info = await fixture.Client().GetShopAsync(shop);
        info.CurrencyCode.Should().Be("USD");
        info.IanaTimezone.Should().Be("America/New_York");
        info.MyshopifyDomain.Should().Be(shop.ShopDomain);
    }

    [Fact]
    public async Task Paging_through_customers_returns_every_customer_once()
    {
        var shop = await fixture.InstallShopAsync(orders: 600);
        var expected = ShopOf(shop).Customers.Select(c => $"gid://shopify/Customer/{c.Id}").ToHashSet();
        var client = fixture.Client();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetCustomersPageAsync(shop, cursor, pageSize: 50);
            seen.AddRange(page.Nodes.Select(n => n.Id));
            cursor = page.PageInfo.HasNextPage ? page.PageInfo.EndCursor : null;
            pages++;
        } while (cursor is not null);

        seen.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(expected);
        pages.Should().Be((expected.Count + 49) / 50);
    }

    [Fact]
    public async Task The_updated_at_filter_returns_only_recent_changes()
    {
        var shop = await fixture.InstallShopAsync(orders: 300);
        var since = DateTimeOffset.UtcNow.AddDays(-30);
        var expected = ShopOf(shop).Orders.Count(o => o.UpdatedAt >= since && o.ProcessedAt >= DateTimeOffset.UtcNow.AddDays(-3 * 366));

        var page = await fixture.Client().GetOrdersPageAsync(shop, null, $"updated_at:>='{since:yyyy-MM-ddTHH:mm:ssZ}'");

        page.Nodes.Should().OnlyContain(o => o.UpdatedAt >= since.AddSeconds(-1));
        page.Nodes.Should().HaveCount(Math.Min(expected, 250));
    }

    [Fact]
    public async Task Without_read_all_orders_only_the_last_60_days_of_orders_are_visible()
    {
        var shop = await fixture.InstallShopAsync(orders: 400, scopes: ["read_customers", "read_orders"]);
        var recent = ShopOf(shop).Orders.Count(o => o.ProcessedAt >= DateTimeOffset.UtcNow.AddDays(-60));
        var client = fixture.Client();

        var total = 0;
        string? cursor = null;
        do
        {
            var page = await client.GetOrdersPageAsync(shop, cursor);
            page.Nodes.Should().OnlyContain(o => o.ProcessedAt >= DateTimeOffset.UtcNow.AddDays(-60).AddMinutes(-1));
            total += page.Nodes.Count;
            cursor = page.PageInfo.HasNextPage ? page.PageInfo.EndCursor : null;
        } while (cursor is not null);

        total.Should().Be(recent).And.BeLessThan(ShopOf(shop).Orders.Count);
    }

    [Fact]
    public async Task A_bucket_that_cannot_pay_makes_the_client_wait_instead_of_failing()
    {
        var shop = await ShopWithASmallBucketAsync();
        var client = fixture.Client(maxRetries: 0);

        // Each full page of 50 costs 2 + 50 × 2 = 102 points of a 120-point bucket that refills 200 a second: every call
        // after the first must wait about 0.4 s, and none may be throttled (no retries are allowed).
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 6; i++) await client.GetCustomersPageAsync(shop, null, pageSize: 50);
        stopwatch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task A_timer_that_fires_early_does_not_send_a_query_the_bucket_cannot_pay_yet()
    {
        var shop = await ShopWithASmallBucketAsync();
        // .NET's timers keep a coarser clock than DateTimeOffset.UtcNow: on this machine Task.Delay(20 ms) ended up to 1.35 ms
        // early by the wall clock in 58 of 200 tries. These timers fire 25 ms early (5 points at 200 a second), so a
        // client that sends as soon as its timer fires is throttled, and with no retries allowed it fails.
        var earlyTimers = new EarlyTimers(TimeSpan.FromMilliseconds(25));
        var client = fixture.Client(new CostBucketTracker(earlyTimers), maxRetries: 0, time: earlyTimers);

        for (var i = 0; i < 4; i++) await client.GetCustomersPageAsync(shop, null, pageSize: 50);
    }

    /// <summary>The system's clock, with timers that fire before their due time (by <paramref name="early"/>, at most half of it).</summary>
    private sealed class EarlyTimers(TimeSpan early) : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(callback, state, dueTime <= TimeSpan.Zero ? dueTime : dueTime - TimeSpan.FromTicks(Math.Min(early.Ticks, dueTime.Ticks / 2)), period);
    }

    [Fact]
    public async Task A_throttled_answer_is_retried_after_the_bucket_refills()
    {
        var shop = await fixture.InstallShopAsync(orders: 10);
        var simulated = ShopOf(shop);
        lock (simulated.Sync) simulated.Bucket.Drain(0, DateTimeOffset.UtcNow);

        var info = await fixture.Client().GetShopAsync(shop);

        info.Name.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_and_a_persistent_one_is_reported()
    {
        var shop = await fixture.InstallShopAsync();
        var simulated = ShopOf(shop);
        lock (simulated.InjectedFailures) simulated.InjectedFailures.Enqueue((429, "0.2"));

        (await fixture.Client().GetShopAsync(shop)).MyshopifyDomain.Should().Be(shop.ShopDomain);

        lock (simulated.InjectedFailures)
        {
            simulated.InjectedFailures.Enqueue((503, "0.05"));
            simulated.InjectedFailures.Enqueue((503, "0.05"));
        }
        var act = () => fixture.Client(maxRetries: 1).GetShopAsync(shop);
        var thrown = await act.Should().ThrowAsync<ShopifyThrottledException>();
        thrown.Which.RequestId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_query_above_1000_points_is_a_max_cost_error()
    {
        var shop = await fixture.InstallShopAsync();
        const string query = "{ customers(first: 250) { nodes { id amountSpent { amount } lastOrder { id } defaultEmailAddress { emailAddress } orders(first: 5) { nodes { id } } } } }";

        var act = () => fixture.Client().ExecuteAsync<object>(shop, query);

        var thrown = await act.Should().ThrowAsync<ShopifyMaxCostExceededException>();
        thrown.Which.Cost.Should().BeGreaterThan(1000);
        thrown.Which.MaxCost.Should().Be(1000);
    }

    [Fact]
    public async Task A_wrong_or_revoked_token_is_unauthorized()
    {
        var shop = await fixture.InstallShopAsync();
        var act = () => fixture.Client().GetShopAsync(shop with { AccessToken = "shpat_wrong" });
        await act.Should().ThrowAsync<ShopifyUnauthorizedException>();

        WinBack.ShopifySimulator.Admin.ShopLifecycle.Uninstall(fixture.Simulator.Runtime, ShopOf(shop));
        var afterUninstall = () => fixture.Client().GetShopAsync(shop);
        await afterUninstall.Should().ThrowAsync<ShopifyUnauthorizedException>();
    }

    [Fact]
    public async Task Protected_fields_are_null_with_an_error_when_the_app_is_not_approved()
    {
        var shop = await fixture.InstallShopAsync(orders: 20, protectedCustomerData: false);
        var result = await fixture.Client().ExecuteAsync<System.Text.Json.JsonElement>(shop, "{ customers(first: 1) { nodes { id firstName } } }");

        var node = result.Data.GetProperty("customers").GetProperty("nodes")[0];
        node.GetProperty("id").GetString().Should().StartWith("gid://shopify/Customer/");
        node.GetProperty("firstName").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        result.Errors.Should().ContainSingle(e => e.Code == "ACCESS_DENIED");
    }

    [Fact]
    public async Task Every_answer_reports_its_cost_like_shopify()
    {
        var shop = await fixture.InstallShopAsync(orders: 30);
        var result = await fixture.Client().ExecuteAsync<System.Text.Json.JsonElement>(shop,
            "{ customers(first: 250) { nodes { id amountSpent { amount } lastOrder { id } } } }");

        result.Cost!.RequestedQueryCost.Should().Be(2 + 250 * 3);
        result.Cost.ActualQueryCost.Should().BeLessThan(result.Cost.RequestedQueryCost);
        result.Cost.ThrottleStatus.MaximumAvailable.Should().Be(2000);
        result.Cost.ThrottleStatus.RestoreRate.Should().Be(100);
    }
}
