using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;

namespace WinBack.Web.Tests.Shops;

/// <summary>Each of Shopify's typed failures, met by an endpoint, tells the merchant what to do instead of a bare 500.</summary>
public sealed class ShopifyFailureProblemTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("shopify-failures");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Installs a shop, lets <paramref name="fail"/> break its Shopify, and asks the tags page, which calls Shopify.</summary>
    private async Task<HttpResponseMessage> TagsPageWhenShopifyAsync(string domain, Action<SimulatedShop> fail)
    {
        var (simulated, _) = await _app.InstallShopAsync(new ShopLifecycle.NewShop(domain, Orders: 3, Seed: 4));
        fail(simulated);
        return await _app.CreateClientFor(domain).GetAsync("/api/shopify-tags");
    }

    [Fact]
    public async Task A_token_Shopify_refuses_tells_the_merchant_to_reconnect_from_the_Shopify_admin()
    {
        var response = await TagsPageWhenShopifyAsync("refused-token.myshopify.com", shop => { lock (shop.Sync) shop.Installation!.AccessTokens.Clear(); });

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("Open WinBack again from your Shopify admin");
        await using var db = _app.CreateDbContext();
        (await db.Shops.SingleAsync(s => s.Domain == "refused-token.myshopify.com")).NeedsReauthorization
            .Should().BeTrue("opening WinBack again then asks Shopify for a new token, as the answer tells the merchant");
    }

    [Fact]
    public async Task A_throttled_store_is_asked_to_try_again_later_and_told_when()
    {
        var retries = _app.Services.GetRequiredService<IOptions<ShopifyOptions>>().Value.MaxRetries;
        var response = await TagsPageWhenShopifyAsync("throttled.myshopify.com", shop =>
        {
            lock (shop.InjectedFailures)
                for (var i = 0; i <= retries; i++) shop.InjectedFailures.Enqueue((429, "0.05"));
        });

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter?.Delta.Should().Be(TimeSpan.FromSeconds(1), "Shopify's wait, rounded up to whole seconds");
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("Try again in a minute");
    }

    [Fact]
    public async Task A_store_Shopify_reports_unavailable_is_told_to_come_back_once_it_is_open()
    {
        var response = await TagsPageWhenShopifyAsync("locked.myshopify.com", shop => { lock (shop.InjectedFailures) shop.InjectedFailures.Enqueue((423, null)); });

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("Try again once it is open");
    }
}
