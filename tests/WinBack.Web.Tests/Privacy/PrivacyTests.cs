using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.OAuth;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;
using WinBack.Web.Privacy;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Privacy;

/// <summary>Shopify's compliance webhooks, sent by the simulator to the app, carried out on everything WinBack keeps.</summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("privacy");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A shop installed through the admin page, with its simulated customers and orders copied into WinBack's tables.</summary>
    private async Task<(SimulatedShop Simulated, long ShopId)> InstalledShopWithDataAsync(string domain)
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop(domain, Orders: 40, Seed: 3));

        await using var db = _app.CreateDbContext();
        lock (simulated.Sync)
        {
            db.Customers.AddRange(simulated.Customers.Select(c => new Customer
            {
                ShopId = shopId, Id = c.Id, FirstName = c.FirstName, LastName = c.LastName, Email = c.Email, CreatedAt = c.CreatedAt, UpdatedAt = c.UpdatedAt,
            }));
            db.Orders.AddRange(simulated.Orders.Select(o => new Order
            {
                ShopId = shopId, Id = o.Id, CustomerId = o.CustomerId, Name = o.Name, ProcessedAt = o.ProcessedAt, UpdatedAt = o.UpdatedAt,
                CancelledAt = o.CancelledAt, Test = o.Test, CurrentTotal = o.CurrentTotalPrice, CurrencyCode = "USD",
            }));
        }
        await db.SaveChangesAsync();
        return (simulated, shopId);
    }

    private static SimulatedCustomer BuyerOf(SimulatedShop shop)
    {
        lock (shop.Sync) return shop.Customers.First(c => shop.OrdersOf(c.Id).Any());
    }

    private async Task DeliverAsync()
    {
        await _simulator.Runtime.Webhooks.DrainAsync();
        await _app.ProcessWebhooksAsync();
    }

    private HttpClient ClientFor(string shop)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            SessionTokens.Mint(shop, WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60)));
        return client;
    }

    [Fact]
    public async Task A_data_request_gives_the_merchant_a_file_of_that_customer_and_no_other_shop_can_read_it()
    {
        var (simulated, _) = await InstalledShopWithDataAsync("asking.myshopify.com");
        await InstalledShopWithDataAsync("neighbour.myshopify.com");
        var customer = BuyerOf(simulated);

        ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.CustomersDataRequest, customer.Id).Should().BeTrue();
        await DeliverAsync();

        var list = await ClientFor("asking.myshopify.com").GetFromJsonAsync<List<PrivacyEndpoints.DataRequestSummary>>("/api/privacy/data-requests");
        var request = list.Should().ContainSingle().Which;
        request.CustomerId.Should().Be(customer.Id);
        var file = await ClientFor("asking.myshopify.com").GetStringAsync($"/api/privacy/data-requests/{request.Id}");
        file.Should().Contain(customer.Email!);
        lock (simulated.Sync) file.Should().Contain(simulated.OrdersOf(customer.Id).First().Name);

        (await ClientFor("neighbour.myshopify.com").GetFromJsonAsync<List<PrivacyEndpoints.DataRequestSummary>>("/api/privacy/data-requests")).Should().BeEmpty();
        (await ClientFor("neighbour.myshopify.com").GetAsync($"/api/privacy/data-requests/{request.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_list_says_which_requests_wait_for_the_merchant_and_which_were_downloaded()
    {
        var (simulated, _) = await InstalledShopWithDataAsync("pending.myshopify.com");
        List<SimulatedCustomer> buyers;
        lock (simulated.Sync) buyers = simulated.Customers.Where(c => simulated.OrdersOf(c.Id).Any()).Take(2).ToList();
        foreach (var buyer in buyers) ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.CustomersDataRequest, buyer.Id).Should().BeTrue();
        await DeliverAsync();
        var merchant = ClientFor("pending.myshopify.com");
        async Task<List<PrivacyEndpoints.DataRequestSummary>> ListAsync() =>
            (await merchant.GetFromJsonAsync<List<PrivacyEndpoints.DataRequestSummary>>("/api/privacy/data-requests"))!;
        var before = await ListAsync();
        before.Should().HaveCount(2).And.OnlyContain(r => r.DownloadedAt == null && r.RespondBy == r.RequestedAt.AddDays(30));
        var downloaded = before.Single(r => r.CustomerId == buyers[0].Id);

        (await merchant.GetAsync($"/api/privacy/data-requests/{downloaded.Id}")).EnsureSuccessStatusCode();
        var after = await ListAsync();
        var firstDownload = after.Single(r => r.Id == downloaded.Id).DownloadedAt;
        (await merchant.GetAsync($"/api/privacy/data-requests/{downloaded.Id}")).EnsureSuccessStatusCode();

        firstDownload.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        after.Single(r => r.CustomerId == buyers[1].Id).DownloadedAt.Should().BeNull("that file still waits for the merchant");
        (await ListAsync()).Single(r => r.Id == downloaded.Id).DownloadedAt.Should().Be(firstDownload, "a second download keeps the first date");
    }

    [Fact]
    public async Task Customers_redact_removes_the_customer_from_every_place_and_keeps_anonymous_totals()
    {
        var (simulated, shopId) = await InstalledShopWithDataAsync("forgetful.myshopify.com");
        var customer = BuyerOf(simulated);
        ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.CustomersDataRequest, customer.Id);
        await DeliverAsync();
        await using (var db = _app.CreateDbContext())
        {
            var before = await db.Orders.Where(o => o.ShopId == shopId).SumAsync(o => o.CurrentTotal);

            ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.CustomersRedact, customer.Id).Should().BeTrue();
            await DeliverAsync();

            (await db.Customers.AnyAsync(c => c.ShopId == shopId && c.Id == customer.Id)).Should().BeFalse();
            (await db.Orders.AnyAsync(o => o.ShopId == shopId && o.CustomerId == customer.Id)).Should().BeFalse();
            (await db.Orders.Where(o => o.ShopId == shopId).SumAsync(o => o.CurrentTotal)).Should().Be(before, "order totals stay, without the person");
            (await db.CustomerDataRequests.AnyAsync(r => r.CustomerId == customer.Id)).Should().BeFalse();
            (await db.WebhookReceipts.Where(r => r.ShopDomain == "forgetful.myshopify.com").Select(r => r.Payload).ToListAsync())
                .Should().NotContain(p => p.Contains(customer.Email!), "no stored webhook body names the customer any more");
            (await db.Customers.CountAsync(c => c.ShopId == shopId)).Should().BeGreaterThan(1, "other customers stay");
        }
    }

    [Fact]
    public async Task A_redacted_customer_is_not_brought_back_by_a_full_sync_nor_by_a_late_webhook_about_their_order()
    {
        // The simulator still exports the customer after customers/redact: as an export taken before the request would.
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("never-again.myshopify.com", Orders: 60, Seed: 7));
        var customer = BuyerOf(simulated);
        ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.CustomersRedact, customer.Id).Should().BeTrue();
        await DeliverAsync();

        await using (var db = _app.CreateDbContext())
            await db.SyncStates.Where(s => s.ShopId == shopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SyncStatus.Queued).SetProperty(x => x.BulkOperationId, (string?)null));
        await _app.RunSyncAsync(shopId);
        SimulatedOrder order;
        lock (simulated.Sync) order = simulated.OrdersOf(customer.Id).First();
        (await _app.PostWebhookAsync("orders/updated", simulated.Domain, System.Text.Json.JsonSerializer.Serialize(new
        {
            id = order.Id, name = order.Name, processed_at = order.ProcessedAt, updated_at = DateTimeOffset.UtcNow.AddMinutes(5), test = false,
            current_total_price_set = new { shop_money = new { amount = "12.00", currency_code = "USD" } },
            customer = new { id = customer.Id, first_name = customer.FirstName, last_name = customer.LastName, email = customer.Email, updated_at = DateTimeOffset.UtcNow },
        }))).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();

        await using var check = _app.CreateDbContext();
        (await check.Customers.AnyAsync(c => c.ShopId == shopId && c.Id == customer.Id)).Should().BeFalse("a redacted customer never comes back");
        (await check.Orders.AnyAsync(o => o.ShopId == shopId && o.CustomerId == customer.Id)).Should().BeFalse("their orders stay anonymous");
        (await check.Orders.Where(o => o.ShopId == shopId && o.Id == order.Id).Select(o => o.CurrentTotal).SingleAsync()).Should().Be(12.00m, "the order itself is kept current");
        (await check.Customers.CountAsync(c => c.ShopId == shopId)).Should().BeGreaterThan(1, "the other customers are synced as before");
    }

    [Fact]
    public async Task Shop_redact_removes_everything_of_the_shop_and_nothing_of_another()
    {
        var (simulated, shopId) = await InstalledShopWithDataAsync("erased.myshopify.com");
        var (_, otherShopId) = await InstalledShopWithDataAsync("kept.myshopify.com");
        ShopLifecycle.Uninstall(_simulator.Runtime, simulated);
        ShopLifecycle.SendCompliance(_simulator.Runtime, simulated, WebhookTopics.ShopRedact, null).Should().BeTrue();
        await DeliverAsync();

        await using var db = _app.CreateDbContext();
        (await db.Shops.AnyAsync(s => s.Id == shopId)).Should().BeFalse();
        (await db.Customers.AnyAsync(c => c.ShopId == shopId)).Should().BeFalse();
        (await db.Orders.AnyAsync(o => o.ShopId == shopId)).Should().BeFalse();
        (await db.ShopSettings.AnyAsync(s => s.ShopId == shopId)).Should().BeFalse();
        (await db.WebhookReceipts.Where(r => r.ShopDomain == "erased.myshopify.com").Select(r => r.Payload).ToListAsync())
            .Should().OnlyContain(p => p == PrivacyRequests.RedactedPayload);
        (await db.Customers.AnyAsync(c => c.ShopId == otherShopId)).Should().BeTrue();
        // Nor does any table keep a row of the shop: the scores, the kept histories, the logs of deletions and listings...
        var tables = await db.Database.SqlQuery<string>($"""
            SELECT c.table_name AS "Value" FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.column_name = 'shop_id'
            """).ToListAsync();
        tables.Should().Contain(["customers", "customer_predictions", "customer_deletions", "customer_history_blocks"]);
        foreach (var table in tables)
        {
            // Names from the catalog, quoted as identifiers.
            var count = "SELECT count(*)::int AS \"Value\" FROM \"" + table + "\" WHERE shop_id = {0}";
            (await db.Database.SqlQueryRaw<int>(count, shopId).SingleAsync()).Should().Be(0, $"{table} keeps nothing of a redacted shop");
        }
    }
}
