using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Tests.Reports;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Privacy;

/// <summary>What a privacy request reaches besides the customer's row: stored webhook bodies (found by id), the orders
/// Shopify lists, saved searches, and the export a data request compiles; and how long bodies are kept at all.</summary>
public sealed class RedactionReachTests : IAsyncLifetime
{
    private const long Customer = 4242;
    private const long LookAlike = 42421; // its id holds the customer's as text
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 15, 0, 0, TimeSpan.Zero));
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("redaction-reach", _clock);
        _shop = await new ReportShop(_app, "reach.myshopify.com")
            .Customer(Customer, "Rita", "Reach", "rita@example.com").Order(Customer, new DateTime(2026, 5, 1, 10, 0, 0), 70m)
            .Customer(LookAlike, "Lou", "Alike", "lou@example.com").Order(LookAlike, new DateTime(2026, 5, 2, 10, 0, 0), 30m)
            .SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string CustomerJson(long id, string email) =>
        JsonSerializer.Serialize(new { id, email, first_name = "X", last_name = "Y", updated_at = "2026-11-01T00:00:00Z", created_at = "2025-01-01T00:00:00Z" });

    private static string GuestOrderJson(long id, string email) => JsonSerializer.Serialize(new
    {
        id, name = $"#{id}", email, processed_at = "2026-11-01T00:00:00Z", updated_at = "2026-11-01T00:00:00Z", test = false,
        current_total_price_set = new { shop_money = new { amount = "9.00", currency_code = "USD" } },
    });

    private static string RedactJson(long customerId, params long[] orders) =>
        JsonSerializer.Serialize(new { shop_id = 1, shop_domain = "reach.myshopify.com", customer = new { id = customerId, email = "rita@example.com" }, orders_to_redact = orders });

    private async Task<string> PostAndProcessAsync(string topic, string body)
    {
        var id = Guid.NewGuid().ToString();
        await _app.PostWebhookAsync(topic, _shop.Domain, body, id);
        await _app.ProcessWebhooksAsync();
        return id;
    }

    private async Task<string> PayloadAsync(string webhookId)
    {
        await using var db = _app.CreateDbContext();
        return (await db.WebhookReceipts.SingleAsync(r => r.WebhookId == webhookId)).Payload;
    }

    [Fact]
    public async Task Redaction_erases_the_customers_bodies_and_listed_orders_found_by_id_and_no_one_elses()
    {
        var own = await PostAndProcessAsync("customers/update", CustomerJson(Customer, "rita@example.com"));
        var other = await PostAndProcessAsync("customers/update", CustomerJson(LookAlike, "lou@example.com"));
        var guestOrder = await PostAndProcessAsync("orders/create", GuestOrderJson(777001, "rita.guest@example.com"));

        await PostAndProcessAsync("customers/redact", RedactJson(Customer, 777001));

        (await PayloadAsync(own)).Should().Be(PrivacyRequests.RedactedPayload);
        (await PayloadAsync(guestOrder)).Should().Be(PrivacyRequests.RedactedPayload, "Shopify listed the order in orders_to_redact");
        (await PayloadAsync(other)).Should().Contain("lou@example.com", "another customer's body is not theirs because its id holds the same digits");
    }

    [Fact]
    public async Task A_saved_view_searching_for_the_redacted_email_keeps_its_filters_and_loses_the_search()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        (await client.PutAsJsonAsync("/api/views", new SaveViewRequest("Rita", "window=stronger&q=rita@example.com"))).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync("/api/views", new SaveViewRequest("Lou", "q=lou@example.com"))).EnsureSuccessStatusCode();

        await PostAndProcessAsync("customers/redact", RedactJson(Customer));

        var views = await client.GetFromJsonAsync<List<SavedViewDto>>("/api/views");
        views!.Single(v => v.Name == "Rita").Query.Should().Be("window=stronger");
        views!.Single(v => v.Name == "Lou").Query.Should().Contain("lou");
    }

    [Fact]
    public async Task A_data_request_export_holds_the_orders_line_items_listings_tags_and_kept_bodies()
    {
        await using (var db = _app.CreateDbContext())
        {
            var order = await db.Orders.SingleAsync(o => o.ShopId == _shop.ShopId && o.CustomerId == Customer);
            db.OrderLineItems.Add(new WinBack.Web.Sync.OrderLineItem { ShopId = _shop.ShopId, OrderId = order.Id, Id = 1, Title = "Green tea", Quantity = 2 });
            db.WinBackListings.Add(new WinBack.Web.Outcomes.WinBackListing
            {
                ShopId = _shop.ShopId, CustomerId = Customer, LastOrderOn = new DateOnly(2026, 5, 1), FirstListedAt = _clock.GetUtcNow(), Segment = "lost", Channels = WinBack.Web.Outcomes.ListingChannels.Digest,
            });
            db.CustomerTags.Add(new WinBack.Web.ShopifyTags.CustomerTag { ShopId = _shop.ShopId, CustomerId = Customer, Tag = "winback:lost" });
            await db.SaveChangesAsync();
        }
        await PostAndProcessAsync("customers/update", CustomerJson(Customer, "rita@example.com"));

        await PostAndProcessAsync("customers/data_request",
            JsonSerializer.Serialize(new { shop_id = 1, shop_domain = _shop.Domain, customer = new { id = Customer }, data_request = new { id = 99 } }));

        var export = await _app.CreateClientFor(_shop.Domain).GetStringAsync("/api/privacy/data-requests/99");
        using var document = JsonDocument.Parse(export);
        var root = document.RootElement;
        root.GetProperty("orders")[0].GetProperty("lineItems")[0].GetProperty("title").GetString().Should().Be("Green tea");
        root.GetProperty("winBackListings")[0].GetProperty("segment").GetString().Should().Be("lost");
        root.GetProperty("shopifyTags")[0].GetString().Should().Be("winback:lost");
        root.GetProperty("webhookBodies").EnumerateArray().Select(b => b.GetProperty("topic").GetString()).Should().Contain("customers/update");
    }

    [Fact]
    public async Task Delivery_records_are_kept_a_week_once_applied_and_a_month_when_set_aside()
    {
        var applied = await PostAndProcessAsync("customers/update", CustomerJson(LookAlike, "lou@example.com"));
        var setAside = await PostAndProcessAsync("orders/create", "{not json");

        _clock.Advance(TimeSpan.FromDays(8));
        await _app.RunJobAsync<WebhookBodyRetentionJob>(job => job.RunAsync(CancellationToken.None));
        await using (var db = _app.CreateDbContext())
        {
            (await db.WebhookReceipts.AnyAsync(r => r.WebhookId == applied)).Should().BeFalse();
            (await db.WebhookReceipts.AnyAsync(r => r.WebhookId == setAside)).Should().BeTrue();
        }

        _clock.Advance(TimeSpan.FromDays(30));
        await _app.RunJobAsync<WebhookBodyRetentionJob>(job => job.RunAsync(CancellationToken.None));
        await using var check = _app.CreateDbContext();
        (await check.WebhookReceipts.AnyAsync(r => r.WebhookId == setAside)).Should().BeFalse();
    }
}
