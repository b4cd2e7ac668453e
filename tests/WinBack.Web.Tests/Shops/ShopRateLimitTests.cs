using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Shops;

/// <summary>Each shop has its own request budget: one shop hammering the API slows only itself.</summary>
public sealed class ShopRateLimitTests : IAsyncLifetime
{
    private WinBackApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await WinBackApp.StartAsync("rate-limits", settings: new Dictionary<string, string> { ["RateLimits:ApiRequestsPerMinute"] = "60" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_shop_over_its_budget_is_told_to_wait_while_another_shop_is_served()
    {
        var busy = await new ReportShop(_app, "busy.myshopify.com").Customer(1, "Ann", "Ames").SaveAsync();
        var calm = await new ReportShop(_app, "calm.myshopify.com").Customer(1, "Cal", "Cole").SaveAsync();
        var client = _app.CreateClientFor(busy.Domain);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++) answers.Add(await client.GetAsync("/api/reports/context"));

        answers.Should().Contain(r => r.StatusCode == HttpStatusCode.OK);
        var refused = answers.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        refused.Headers.RetryAfter.Should().NotBeNull();
        (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().StartWith("Your shop has made too many requests for now. Try again in");
        (await _app.CreateClientFor(calm.Domain).GetAsync("/api/reports/context")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_shop_sends_at_most_five_test_emails_an_hour()
    {
        var shop = await new ReportShop(_app, "tester.myshopify.com").Customer(1, "Tess", "Test").SaveAsync();
        var client = _app.CreateClientFor(shop.Domain);
        (await client.PutAsJsonAsync("/api/digest", new { enabled = true, recipients = new[] { "owner@example.com" }, day = "Monday", hour = 9, attachCsv = false }))
            .EnsureSuccessStatusCode();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) answers.Add((await client.PostAsync("/api/digest/test", null)).StatusCode);

        answers.Take(5).Should().NotContain(HttpStatusCode.TooManyRequests);
        answers[5].Should().Be(HttpStatusCode.TooManyRequests);
    }
}
