using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Tests.Reports;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Webhooks;

/// <summary>
/// Deliveries applied in one batch take effect in the order Shopify sent them, though order upserts are written together:
/// what comes after an order (its delete, its customer's delete or update, a redaction) sees the order written.
/// </summary>
public sealed class WebhookOrderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 15, 0, 0, TimeSpan.Zero));
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("webhook-order", _clock);
        _shop = await new ReportShop(_app, "order.myshopify.com")
            .Customer(1, "Bea", "Brown").Order(1, new DateTime(2026, 6, 1, 10, 0, 0), 40m)
            .Customer(2, "Ray", "Reed").Order(2, new DateTime(2026, 6, 2, 10, 0, 0), 60m)
            .SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string OrderJson(long id, long customerId, string amount = "25.00") =>
        WebhookBodies.Order(_clock.GetUtcNow().AddHours(-2), id, customerId, $"#{id}", amount);

    /// <summary>Posts the deliveries in this order, then processes them: the job claims them as one batch.</summary>
    private async Task<string[]> PostThenProcessAsync(params (string Topic, string Body)[] deliveries)
    {
        var ids = new List<string>();
        foreach (var (topic, body) in deliveries)
        {
            var id = Guid.NewGuid().ToString();
            (await _app.PostWebhookAsync(topic, _shop.Domain, body, id)).EnsureSuccessStatusCode();
            ids.Add(id);
        }
        await _app.ProcessWebhooksAsync();
        return [.. ids];
    }

    private async Task<(int OrdersCount, decimal TotalSpent)> RollupsAsync(long customerId)
    {
        await using var db = _app.CreateDbContext();
        var customer = await db.Customers.SingleAsync(c => c.ShopId == _shop.ShopId && c.Id == customerId);
        return (customer.OrdersCount, customer.TotalSpent);
    }

    [Fact]
    public async Task An_order_deleted_after_its_create_in_one_batch_is_gone_and_no_longer_counts()
    {
        await PostThenProcessAsync(("orders/create", OrderJson(5001, 1)), ("orders/delete", """{"id":5001}"""));

        await using var db = _app.CreateDbContext();
        (await db.Orders.AnyAsync(o => o.ShopId == _shop.ShopId && o.Id == 5001)).Should().BeFalse();
        (await db.OrderLineItems.AnyAsync(li => li.ShopId == _shop.ShopId && li.OrderId == 5001)).Should().BeFalse();
        (await RollupsAsync(1)).Should().Be((1, 40m), "only the order from June is left");
    }

    [Fact]
    public async Task An_older_customer_update_between_two_of_their_orders_in_one_batch_does_not_overwrite_the_newer_details_the_first_order_brought()
    {
        var older = JsonSerializer.Serialize(new { id = 7, first_name = "Old", last_name = "Name", updated_at = "2024-06-01T00:00:00Z" });

        await PostThenProcessAsync(("orders/create", OrderJson(5001, 7)), ("customers/update", older), ("orders/create", OrderJson(5002, 7, "30.00")));

        await using var db = _app.CreateDbContext();
        (await db.Customers.SingleAsync(c => c.ShopId == _shop.ShopId && c.Id == 7)).FirstName.Should().Be("Bea");
        (await RollupsAsync(7)).Should().Be((2, 55m));
    }

    [Fact]
    public async Task A_customer_deleted_after_their_order_in_one_batch_is_gone_and_the_order_stays_as_a_guest_order()
    {
        await PostThenProcessAsync(("orders/create", OrderJson(5001, 7)), ("customers/delete", """{"id":7}"""));

        await using var db = _app.CreateDbContext();
        (await db.Customers.AnyAsync(c => c.ShopId == _shop.ShopId && c.Id == 7)).Should().BeFalse();
        (await db.Orders.SingleAsync(o => o.ShopId == _shop.ShopId && o.Id == 5001)).CustomerId.Should().BeNull();
    }

    [Fact]
    public async Task A_customer_redacted_after_their_order_in_one_batch_leaves_no_customer_row()
    {
        await PostThenProcessAsync(("orders/create", OrderJson(5001, 2)), ("customers/redact", WebhookBodies.Redact(_shop.Domain, 2)));

        await using var db = _app.CreateDbContext();
        (await db.Customers.AnyAsync(c => c.ShopId == _shop.ShopId && c.Id == 2)).Should().BeFalse();
        (await db.Orders.Where(o => o.ShopId == _shop.ShopId && (o.Id == 5001 || o.CustomerId == 2)).Select(o => o.CustomerId).ToListAsync())
            .Should().NotBeEmpty().And.OnlyContain(id => id == null, "the orders stay only as anonymous totals");
    }

    [Fact]
    public async Task A_body_lacking_what_its_topic_needs_is_set_aside_while_the_rest_of_its_batch_is_applied()
    {
        var lacking = JsonSerializer.Serialize(new { name = "#5002", updated_at = _clock.GetUtcNow() });

        var ids = await PostThenProcessAsync(("orders/create", OrderJson(5001, 1)), ("orders/create", lacking), ("orders/create", OrderJson(5003, 2)));

        await using var db = _app.CreateDbContext();
        var receipts = await db.WebhookReceipts.Where(r => ids.Contains(r.WebhookId)).ToDictionaryAsync(r => r.WebhookId);
        receipts[ids[1]].Status.Should().Be(WebhookReceiptStatus.Failed);
        receipts[ids[1]].Error.Should().Contain("lacks what orders/create needs");
        receipts[ids[0]].Status.Should().Be(WebhookReceiptStatus.Processed);
        receipts[ids[2]].Status.Should().Be(WebhookReceiptStatus.Processed);
        (await RollupsAsync(1)).Should().Be((2, 65m));
        (await RollupsAsync(2)).Should().Be((2, 85m));
    }
}
