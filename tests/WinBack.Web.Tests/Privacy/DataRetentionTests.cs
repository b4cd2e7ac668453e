using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Tests.Reports;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Privacy;

/// <summary>
/// Saying goodbye. Today is 2026-11-22. Olga last ordered in January 2022 (58 months ago), Mark in June 2024 (29 months),
/// Rita last week. An order webhook about Olga from 2022 is still stored.
/// </summary>
public sealed class DataRetentionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("retention", new FakeTimeProvider(Now));
        _shop = await new ReportShop(_app, "north.myshopify.com")
            .Customer(1, "Olga", "Old").Order(1, new DateTime(2022, 1, 10, 10, 0, 0), 80m).Order(1, new DateTime(2021, 6, 1, 10, 0, 0), 20m)
            .Customer(2, "Mark", "Middle").Order(2, new DateTime(2024, 6, 1, 10, 0, 0), 50m)
            .Customer(3, "Rita", "Recent").Order(3, new DateTime(2026, 11, 15, 10, 0, 0), 30m)
            .SaveAsync();
        await using var db = _app.CreateDbContext();
        db.WebhookReceipts.Add(new WebhookReceipt
        {
            ShopDomain = _shop.Domain, WebhookId = "old-1", Topic = "orders/create", ReceivedAt = new DateTimeOffset(2022, 1, 10, 15, 0, 0, TimeSpan.Zero),
            Payload = """{"id":1001,"customer":{"id":1,"email":"olga1@example.com"}}""", Status = WebhookReceiptStatus.Processed,
        });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RunAsync()
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DataRetention>().RunAsync(_shop.ShopId, CancellationToken.None);
    }

    private async Task<string[]> ListedAsync() =>
        (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive"))!.Customers.Select(c => c.FirstName!).ToArray();

    [Fact]
    public async Task It_is_off_by_default_and_says_what_a_period_would_erase_before_it_is_turned_on()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        var status = await client.GetFromJsonAsync<RetentionStatus>("/api/data-retention");
        status!.Months.Should().BeNull();
        (status.MonthsCounted, status.CustomersBeyond).Should().Be((36, 1), "the suggested 36 months would erase Olga only");
        (await client.GetFromJsonAsync<RetentionStatus>("/api/data-retention?months=24"))!.CustomersBeyond.Should().Be(2);

        await RunAsync();
        (await ListedAsync()).Should().Contain(["Olga", "Mark"], "nothing is erased while retention is off");

        var tooShort = await client.PutAsJsonAsync("/api/data-retention", new RetentionRequest(3));
        tooShort.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooShort.Content.ReadAsStringAsync()).Should().Contain("\"months\"").And.Contain("between 6 and 120 months");
    }

    [Fact]
    public async Task Customers_gone_longer_than_the_period_are_erased_and_their_orders_stay_as_anonymous_totals()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        (await client.PutAsJsonAsync("/api/data-retention", new RetentionRequest(36))).EnsureSuccessStatusCode();

        await RunAsync();

        (await ListedAsync()).Should().Equal("Mark");
        await using var db = _app.CreateDbContext();
        (await db.Customers.AnyAsync(c => c.ShopId == _shop.ShopId && c.Id == 1)).Should().BeFalse();
        var orders = await db.Orders.Where(o => o.ShopId == _shop.ShopId).ToListAsync();
        orders.Should().HaveCount(4, "the shop's order history keeps its totals");
        orders.Where(o => o.CurrentTotal is 80m or 20m).Should().OnlyContain(o => o.CustomerId == null);
        (await db.WebhookReceipts.SingleAsync(r => r.WebhookId == "old-1")).Payload.Should().NotContain("olga");
        (await client.GetFromJsonAsync<RetentionStatus>("/api/data-retention"))!.Should().Be(new RetentionStatus(36, 36, 6, 120, 36, 0));
    }
}
