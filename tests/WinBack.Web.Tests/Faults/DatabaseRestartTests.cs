using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Shops;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Faults;

/// <summary>
/// PostgreSQL restarted while Shopify delivers webhooks: WinBack can only accept what it recorded, so while the database
/// is down it must answer an error (Shopify retries anything but 2xx); once it is back, Shopify's retries are recorded
/// and applied, each delivery exactly once, and nothing answered 200 before the restart is lost. On a cluster of its own.
/// </summary>
public sealed class DatabaseRestartTests : IAsyncLifetime
{
    private const string Shop = "restart.myshopify.com";
    private const long Customer = 42;
    private PostgresServer _database = null!;
    private WinBackApp _app = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.StartPrivateAsync();
        _app = await WinBackApp.StartAsync("restart", server: _database);
        await using var db = _app.CreateDbContext();
        var shop = new Shop { Domain = Shop, CurrencyCode = "USD", IanaTimezone = "UTC", InstalledAt = DateTimeOffset.UtcNow };
        db.Shops.Add(shop);
        await db.SaveChangesAsync();
        _shopId = shop.Id;
        db.Customers.Add(new Customer { ShopId = _shopId, Id = Customer, CreatedAt = DateTimeOffset.UtcNow.AddYears(-1), UpdatedAt = DateTimeOffset.UtcNow.AddYears(-1) });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.StopAsync();
    }

    [Fact]
    public async Task Deliveries_refused_while_PostgreSQL_is_down_are_applied_once_when_Shopify_retries_and_none_accepted_is_lost()
    {
        var deliveries = Enumerable.Range(1, 30).Select(i => (WebhookId: Guid.NewGuid().ToString(), OrderId: 9000L + i)).ToList();
        var before = deliveries[..10];
        var duringOutage = deliveries[10..20];
        var after = deliveries[20..];

        foreach (var delivery in before) (await PostAsync(delivery)).Should().Be(HttpStatusCode.OK);

        await _database.StopAsync();
        var refused = new List<HttpStatusCode>();
        foreach (var delivery in duringOutage) refused.Add(await PostAsync(delivery));
        refused.Should().OnlyContain(status => (int)status >= 500, "a delivery WinBack could not record must not be answered 2xx, or Shopify would not retry it");

        await _database.StartAgainAsync();
        // Shopify's retries: the refused ones, the new ones, and (it delivers at least once) the accepted ones again.
        foreach (var delivery in duringOutage.Concat(after).Concat(before)) await PostUntilAcceptedAsync(delivery);
        await _app.ProcessWebhooksAsync();

        await using var db = _app.CreateDbContext();
        var receipts = await db.WebhookReceipts.Where(r => r.ShopDomain == Shop).ToListAsync();
        receipts.Select(r => r.WebhookId).Should().BeEquivalentTo(deliveries.Select(d => d.WebhookId), "every delivery is recorded exactly once");
        receipts.Should().OnlyContain(r => r.Status == WebhookReceiptStatus.Processed);
        (await db.Orders.Where(o => o.ShopId == _shopId).Select(o => o.Id).ToListAsync()).Should().BeEquivalentTo(deliveries.Select(d => d.OrderId));
        (await db.Customers.SingleAsync(c => c.ShopId == _shopId && c.Id == Customer)).OrdersCount.Should().Be(30, "each order counted once in the customer's rollup");
    }

    private async Task<HttpStatusCode> PostAsync((string WebhookId, long OrderId) delivery)
    {
        using var response = await _app.PostWebhookAsync("orders/create", Shop, Order(delivery.OrderId), delivery.WebhookId);
        return response.StatusCode;
    }

    /// <summary>As Shopify does, again until a 2xx (bounded: the pool's connections from before the restart are dead at first).</summary>
    private async Task PostUntilAcceptedAsync((string WebhookId, long OrderId) delivery)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        HttpStatusCode status;
        while ((status = await PostAsync(delivery)) != HttpStatusCode.OK && DateTime.UtcNow < deadline) await Task.Delay(200);
        status.Should().Be(HttpStatusCode.OK, "PostgreSQL is back");
    }

    private static string Order(long id) => JsonSerializer.Serialize(new
    {
        id,
        name = $"#{id}",
        processed_at = DateTimeOffset.UtcNow.AddDays(-id % 30),
        updated_at = DateTimeOffset.UtcNow,
        cancelled_at = (string?)null,
        test = false,
        current_total_price_set = new { shop_money = new { amount = "25.00", currency_code = "USD" } },
        customer = new { id = Customer, updated_at = DateTimeOffset.UtcNow.AddYears(-1) },
    });
}
