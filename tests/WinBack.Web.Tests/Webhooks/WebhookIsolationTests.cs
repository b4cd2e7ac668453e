using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Tests.Reports;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Webhooks;

/// <summary>
/// A delivery that cannot be applied stays with its shop: it is retried a bounded number of times, then set aside with
/// its reason, and never holds back another shop's orders or privacy requests.
/// </summary>
public sealed class WebhookIsolationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 15, 0, 0, TimeSpan.Zero));
    private WinBackApp _app = null!;
    private ReportShop _ay = null!;
    private ReportShop _bee = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("webhook-isolation", _clock);
        _ay = await new ReportShop(_app, "ay.myshopify.com").Customer(1, "Ada", "Ames").Order(1, new DateTime(2026, 6, 1, 10, 0, 0), 30m).SaveAsync();
        _bee = await new ReportShop(_app, "bee.myshopify.com")
            .Customer(1, "Bea", "Brown").Order(1, new DateTime(2026, 6, 1, 10, 0, 0), 40m)
            .Customer(2, "Ray", "Reed").Order(2, new DateTime(2026, 6, 2, 10, 0, 0), 60m)
            .SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>An orders/create body in Shopify's REST shape.</summary>
    private string OrderJson(long id, long customerId, string name = "#1001", string? amount = "25.00", string firstName = "Bea") =>
        WebhookBodies.Order(_clock.GetUtcNow().AddHours(-2), id, customerId, name, amount, firstName);

    private static string RedactJson(string shop, long customerId) => WebhookBodies.Redact(shop, customerId);

    private async Task<string[]> InactiveFirstNamesAsync(string shop) =>
        (await _app.CreateClientFor(shop).GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?pageSize=250"))!
            .Customers.Select(c => c.FirstName!).ToArray();

    private async Task<WebhookReceipt> ReceiptAsync(string webhookId)
    {
        await using var db = _app.CreateDbContext();
        return await db.WebhookReceipts.AsNoTracking().SingleAsync(r => r.WebhookId == webhookId);
    }

    // A total of 10^20 does not fit PostgreSQL's numeric(19,4): a delivery no code path of ours can store.
    private const string UnstorableAmount = "100000000000000000000.00";

    [Fact]
    public async Task A_delivery_that_cannot_be_applied_holds_back_no_other_shops_order_or_redaction()
    {
        (await InactiveFirstNamesAsync(_bee.Domain)).Should().BeEquivalentTo(["Bea", "Ray"]);
        var poison = Guid.NewGuid().ToString();
        await _app.PostWebhookAsync("orders/create", _ay.Domain, OrderJson(9001, 1, amount: UnstorableAmount), poison);
        await _app.PostWebhookAsync("orders/create", _bee.Domain, OrderJson(5001, 1));
        await _app.PostWebhookAsync("customers/redact", _bee.Domain, RedactJson(_bee.Domain, 2));

        await _app.ProcessWebhooksAsync();

        (await InactiveFirstNamesAsync(_bee.Domain)).Should().BeEmpty("Bea ordered two hours ago and Ray was redacted");
        await using (var db = _app.CreateDbContext())
        {
            (await db.Customers.AnyAsync(c => c.ShopId == _bee.ShopId && c.Id == 2)).Should().BeFalse();
            (await db.Orders.AnyAsync(o => o.ShopId == _bee.ShopId && o.Id == 5001)).Should().BeTrue();
        }
        var failed = await ReceiptAsync(poison);
        failed.Status.Should().Be(WebhookReceiptStatus.Received, "one failed attempt is retried later");
        failed.Attempts.Should().Be(1);
        failed.Error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_set_aside_with_its_reason_and_can_be_replayed()
    {
        var poison = Guid.NewGuid().ToString();
        await _app.PostWebhookAsync("orders/create", _ay.Domain, OrderJson(9001, 1, amount: UnstorableAmount), poison);

        for (var attempt = 1; attempt <= WebhookProcessingJob.MaxAttempts; attempt++)
        {
            await _app.ProcessWebhooksAsync();
            (await ReceiptAsync(poison)).Attempts.Should().Be(attempt);
            await _app.ProcessWebhooksAsync();
            (await ReceiptAsync(poison)).Attempts.Should().Be(attempt, "the next attempt waits for its back-off");
            _clock.Advance(TimeSpan.FromHours(2));
        }

        var setAside = await ReceiptAsync(poison);
        setAside.Status.Should().Be(WebhookReceiptStatus.Failed);
        setAside.Error.Should().Contain("numeric field overflow");

        var replayed = await _app.ReplayFailedWebhooksAsync(_ay.Domain);
        replayed.Should().Be(1);
        var again = await ReceiptAsync(poison);
        again.Status.Should().Be(WebhookReceiptStatus.Received);
        again.Attempts.Should().Be(0);
    }

    [Fact]
    public async Task Long_names_odd_characters_and_a_missing_total_from_Shopify_are_stored()
    {
        var longName = "#" + new string('7', 70);
        var longFirstName = new string('A', 300);
        var ids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        await _app.PostWebhookAsync("orders/create", _bee.Domain, OrderJson(5001, 5, name: longName, firstName: longFirstName), ids[0]);
        await _app.PostWebhookAsync("orders/create", _bee.Domain, OrderJson(5002, 3, name: "#10\u000002", firstName: "Nul\u0000l"), ids[1]);
        await _app.PostWebhookAsync("orders/create", _bee.Domain, OrderJson(5003, 4, amount: null), ids[2]);

        await _app.ProcessWebhooksAsync();

        foreach (var id in ids) (await ReceiptAsync(id)).Status.Should().Be(WebhookReceiptStatus.Processed);
        await using var db = _app.CreateDbContext();
        (await db.Orders.SingleAsync(o => o.ShopId == _bee.ShopId && o.Id == 5001)).Name.Should().Be(longName);
        (await db.Customers.SingleAsync(c => c.ShopId == _bee.ShopId && c.Id == 5)).FirstName.Should().Be(longFirstName);
        (await db.Orders.SingleAsync(o => o.ShopId == _bee.ShopId && o.Id == 5002)).Name.Should().Be("#1002", "PostgreSQL text cannot hold NUL");
        (await db.Customers.SingleAsync(c => c.ShopId == _bee.ShopId && c.Id == 3)).FirstName.Should().Be("Null");
        (await db.Orders.SingleAsync(o => o.ShopId == _bee.ShopId && o.Id == 5003)).CurrentTotal.Should().Be(0m, "an order without a total counts, at zero");
    }
    [Fact]
    public async Task A_shops_rows_held_by_a_long_transaction_hold_up_another_shops_webhooks_seconds_not_for_its_length()
    {
        // What a large shop's refit writing its scores, or its first import copying its orders, looks like to a webhook:
        // the shop's rows are held by a transaction that runs for minutes.
        using var longRunning = _app.Services.CreateScope();
        var holder = longRunning.ServiceProvider.GetRequiredService<WinBack.Web.Data.WinBackDbContext>();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlAsync($"SELECT 1 FROM customers WHERE shop_id = {_ay.ShopId} FOR UPDATE");

        var waiting = Guid.NewGuid().ToString();
        await _app.PostWebhookAsync("orders/create", _ay.Domain, OrderJson(9001, 1), waiting);
        await _app.PostWebhookAsync("orders/create", _bee.Domain, OrderJson(5001, 1));
        var processing = _app.ProcessWebhooksAsync();
        var finished = await Task.WhenAny(processing, Task.Delay(TimeSpan.FromSeconds(20))) == processing;
        if (!finished) await held.RollbackAsync(); // lets the stuck batch end, so the test can report instead of hang
        finished.Should().BeTrue("the other shop's order must not wait for the held shop's transaction to end");
        (await InactiveFirstNamesAsync(_bee.Domain)).Should().BeEquivalentTo(["Ray"], "Bea's new order was applied: she is no longer inactive");
        var pending = await ReceiptAsync(waiting);
        pending.Should().BeEquivalentTo(new { Status = WebhookReceiptStatus.Received, Attempts = 1 }, "the held shop's delivery waits for its next attempt");
        pending.Error.Should().Contain("lock");

        await held.CommitAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _app.ProcessWebhooksAsync();
        (await ReceiptAsync(waiting)).Status.Should().Be(WebhookReceiptStatus.Processed, "once the rows are free the delivery is applied");
    }
}
