using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// The Inactive Customers report against hand-computed expectations. Today is Sunday 2026-11-22, 10:00 in New York
/// (EST); the threshold is 4 weeks, so the threshold day is Sunday 2026-10-25 (still EDT). The high-value line is the
/// 80th percentile of total spent among the five customers with orders: 120.
/// </summary>
public sealed class InactiveCustomersReportTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("reports", _clock);
        _shop = await new ReportShop(_app, "north.myshopify.com")
            // 23:30 local on the threshold day is 03:30 UTC the next day: counted in UTC, Alice would be 27 days away, not 4 weeks.
            .Customer(1, "Alice", "Archer", marketing: "SUBSCRIBED").Order(1, new DateTime(2026, 10, 25, 23, 30, 0), 50m)
            .Customer(2, "Bob", "Baker").Order(2, new DateTime(2026, 10, 26, 0, 30, 0), 80m)
            // Her last order was cancelled: her last order date moves back to August.
            .Customer(3, "Carol", "Cooper").Order(3, new DateTime(2026, 8, 1, 12, 0, 0), 100m).Order(3, new DateTime(2026, 11, 10, 12, 0, 0), 400m, cancelled: true)
            // Refunded from 300 to 120: total spent counts what is left.
            .Customer(4, "Dan", "Dyer").Order(4, new DateTime(2026, 9, 1, 9, 0, 0), 120m)
            .Customer(5, "Erin", "Evans", createdAt: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)).Order(5, new DateTime(2026, 6, 1, 9, 0, 0), 75m, cancelled: true)
            .Customer(6, "Frank", "Fisher", createdAt: new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)).Order(6, new DateTime(2026, 6, 1, 9, 0, 0), 75m, test: true)
            .Customer(7, "Grace", "Green").Order(7, new DateTime(2026, 9, 1, 9, 0, 0), 2000m).Order(7, new DateTime(2026, 10, 1, 9, 0, 0), 3000m)
            .Order(null, new DateTime(2026, 7, 1, 9, 0, 0), 999m)
            .SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<InactiveCustomersPage> PageAsync(string query = "", string? shop = null)
    {
        var response = await _app.CreateClientFor(shop ?? _shop.Domain).GetAsync($"/api/reports/inactive?{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<InactiveCustomersPage>())!;
    }

    private async Task<string[]> NamesAsync(string query = "") => (await PageAsync(query)).Customers.Select(c => c.FirstName!).ToArray();

    [Fact]
    public async Task The_list_follows_the_definitions_longest_away_first()
    {
        var page = await PageAsync();

        page.TotalCount.Should().Be(4);
        page.Customers.Select(c => (c.Name, c.LastOrderDate, c.WeeksSinceLastOrder, c.TotalSpent, c.OrdersCount, c.Segment)).Should().Equal(
            ("Carol Cooper", new DateOnly(2026, 8, 1), 16, 100m, 1, "low-value-long"),
            ("Dan Dyer", new DateOnly(2026, 9, 1), 11, 120m, 1, "high-value-long"),
            ("Grace Green", new DateOnly(2026, 10, 1), 7, 5000m, 2, "high-value-recent"),
            ("Alice Archer", new DateOnly(2026, 10, 25), 4, 50m, 1, "low-value-recent"));
        page.CurrencyCode.Should().Be("USD");
    }

    [Theory]
    [InlineData("segment=high-value-recent", new[] { "Grace" })]
    [InlineData("segment=high-value-long,low-value-long", new[] { "Carol", "Dan" })]
    [InlineData("window=optimal", new[] { "Alice" })]
    [InlineData("window=stronger", new[] { "Dan", "Grace" })]
    [InlineData("window=last-chance", new[] { "Carol" })]
    [InlineData("minWeeks=7&maxWeeks=11", new[] { "Dan", "Grace" })]
    [InlineData("highValue=true", new[] { "Dan", "Grace" })]
    [InlineData("minSpent=100", new[] { "Carol", "Dan", "Grace" })]
    [InlineData("q=COOP", new[] { "Carol" })]
    [InlineData("q=grace7@", new[] { "Grace" })]
    [InlineData("consent=subscribed", new[] { "Alice" })]
    [InlineData("sort=totalSpent", new[] { "Grace", "Dan", "Carol", "Alice" })]
    [InlineData("sort=name&direction=desc", new[] { "Grace", "Dan", "Carol", "Alice" })]
    [InlineData("sort=segment", new[] { "Grace", "Dan", "Alice", "Carol" })]
    [InlineData("sort=lastOrder&direction=desc", new[] { "Alice", "Grace", "Dan", "Carol" })]
    public async Task Filters_and_sorts_narrow_and_order_the_list(string query, string[] expected)
    {
        var page = await PageAsync(query);

        page.Customers.Select(c => c.FirstName).Should().Equal(expected);
        page.TotalCount.Should().Be(expected.Length);
    }

    [Theory]
    [InlineData("minWeeks=2", "minWeeks")]
    [InlineData("maxWeeks=abc", "maxWeeks")]
    [InlineData("window=soon", "window")]
    [InlineData("window=optimal&minWeeks=5", "window")]
    [InlineData("segment=vip", "segment")]
    [InlineData("sort=age", "sort")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("minSpent=%2410", "minSpent")]
    [InlineData("after=not-a-cursor", "after")]
    public async Task A_bad_parameter_is_a_400_that_names_it(string query, string parameter)
    {
        var response = await _app.CreateClientFor(_shop.Domain).GetAsync($"/api/reports/inactive?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(parameter, out var messages).Should().BeTrue();
        messages[0].GetString().Should().NotBeNullOrWhiteSpace();
        problem.GetProperty("detail").GetString().Should().Be(messages[0].GetString());
    }

    [Fact]
    public async Task The_summary_counts_the_shop()
    {
        var summary = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<InactiveSummary>("/api/reports/inactive/summary"))!;

        summary.CustomersWithOrders.Should().Be(5);
        summary.CustomersWithoutOrders.Should().Be(2, "Erin's only order was cancelled and Frank's was a test");
        summary.Inactive.Should().Be(4);
        summary.InactiveShare.Should().Be(0.8);
        summary.WentInactiveThisWeek.Should().Be(1, "Alice crossed four weeks today");
        summary.RevenueAtStake.Should().Be(5270m);
        summary.Segments.Select(s => (s.Key, s.Customers, s.TotalSpent)).Should().Equal(
            ("high-value-recent", 1, 5000m), ("high-value-long", 1, 120m), ("low-value-recent", 1, 50m), ("low-value-long", 1, 100m));
        summary.WeeksSinceLastOrder.Should().Equal(Enumerable.Range(0, 53).Select(w => new WeeksBucket(w, w is 3 or 4 or 7 or 11 or 16 ? 1 : 0)),
            "every week up to a year has its bar, empty weeks too, so the chart's weeks are evenly spaced");
    }

    [Fact]
    public async Task Counts_follow_a_change_at_once()
    {
        (await PageAsync()).TotalCount.Should().Be(4);

        await using (var db = _app.CreateDbContext())
        {
            db.Orders.Add(new Order { ShopId = _shop.ShopId, Id = 9000, CustomerId = 3, Name = "#9000", ProcessedAt = Now.AddDays(-1), UpdatedAt = Now, CurrentTotal = 10m, CurrencyCode = "USD" });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();

        var page = await PageAsync();
        page.TotalCount.Should().Be(3);
        page.Customers.Select(c => c.FirstName).Should().NotContain("Carol");
    }

    [Fact]
    public async Task A_shop_sees_only_its_own_customers()
    {
        var other = await new ReportShop(_app, "south.myshopify.com")
            .Customer(1, "Zed", "Zimmer").Order(1, new DateTime(2026, 1, 5, 12, 0, 0), 10m).SaveAsync();

        var page = await PageAsync(shop: other.Domain);

        page.Customers.Select(c => c.Name).Should().Equal("Zed Zimmer");
        (await NamesAsync()).Should().NotContain("Zed");
    }

    [Fact]
    public async Task Customers_without_orders_have_their_own_list_newest_first()
    {
        var page = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<WithoutOrdersPage>("/api/reports/without-orders"))!;

        page.Customers.Select(c => c.FirstName).Should().Equal("Frank", "Erin");
        page.TotalCount.Should().Be(2);
    }

    [Fact]
    public async Task The_retention_snapshot_records_this_week_in_the_shop_calendar()
    {
        using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(_app.Services))
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<RetentionSnapshotJob>(scope.ServiceProvider)
                .RunAsync(_shop.ShopId, CancellationToken.None);

        var summary = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<InactiveSummary>("/api/reports/inactive/summary"))!;
        summary.RetentionHistory[^1].Should().Be(new RetentionPoint(new DateOnly(2026, 11, 16), Active: 1, Inactive: 4));
        summary.RetentionHistory[0].WeekStart.Should().Be(new DateOnly(2026, 7, 27), "the series starts in the week of the first qualifying order (Carol's, 1 August)");
    }
}
