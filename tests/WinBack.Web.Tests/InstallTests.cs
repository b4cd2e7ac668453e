using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WinBack.Shopify;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.OAuth;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests;

/// <summary>A shop installs WinBack through the simulator, the way it would through Shopify.</summary>
public sealed class InstallTests
{
    [Fact]
    public async Task Managed_install_exchanges_the_session_token_and_sets_the_shop_up()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_exchange");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("exchange.myshopify.com", Name: "Exchange Co", CurrencyCode: "EUR", IanaTimezone: "Europe/Berlin"));

        var response = await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "exchange.myshopify.com");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("frame-ancestors https://exchange.myshopify.com https://admin.shopify.com");
        await using var db = app.CreateDbContext();
        var shop = await db.Shops.SingleAsync(s => s.Domain == "exchange.myshopify.com");
        shop.Should().BeEquivalentTo(new { Name = "Exchange Co", CurrencyCode = "EUR", IanaTimezone = "Europe/Berlin", NeedsReauthorization = false, UninstalledAt = (DateTimeOffset?)null });
        shop.AccessTokenExpiresAt.Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(1), TimeSpan.FromMinutes(1));

        var installation = simulator.Runtime.Store.Find("exchange.myshopify.com")!.Installation!;
        var accessToken = installation.AccessTokens.Keys.Single();
        shop.AccessTokenCiphertext.Should().NotContain(accessToken, "tokens are encrypted at rest");
        (await RawColumnsAsync(app, "SELECT access_token_ciphertext || refresh_token_ciphertext FROM shops")).Should().NotContain(accessToken).And.NotContain(installation.RefreshToken!.Token);

        simulator.Runtime.Store.Find("exchange.myshopify.com")!.WebhookSubscriptions.Select(s => s.Topic)
            .Should().Contain(["app/uninstalled", "orders/create", "orders/updated", "customers/update", "refunds/create"]);
        (await db.ShopSettings.SingleAsync(s => s.ShopId == shop.Id)).InactivityThresholdWeeks.Should().Be(4);
        (await RawColumnsAsync(app, "SELECT invocationdata FROM hangfire.job")).Should().Contain(j => j.Contains(nameof(InitialSyncJob)), "the first sync is queued");
    }

    [Fact]
    public async Task A_link_that_shopify_did_not_sign_installs_nothing()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_forged");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("forged.myshopify.com"));
        var idToken = SessionTokens.Mint("forged.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));

        var response = await app.CreateClient().GetAsync($"/?embedded=1&shop=forged.myshopify.com&id_token={idToken}&timestamp={DateTimeOffset.UtcNow.ToUnixTimeSeconds()}&hmac=00");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var db = app.CreateDbContext();
        (await db.Shops.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task A_signed_load_with_an_expired_session_token_gets_the_bounce_page_and_installs_nothing()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_bounce");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("bounce.myshopify.com"));
        var query = new Dictionary<string, string>
        {
            ["embedded"] = "1",
            ["id_token"] = SessionTokens.Mint("bounce.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromSeconds(60)),
            ["shop"] = "bounce.myshopify.com",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        query["hmac"] = ShopifyHmac.SignQuery(WinBackApp.ApiSecret, query);

        var response = await app.CreateClient().GetAsync("/?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("shopify.idToken()");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("https://bounce.myshopify.com");
        await using var db = app.CreateDbContext();
        (await db.Shops.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Authorization_code_install_checks_state_and_hmac_then_installs()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_code");
        await using var _ = app;
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies });

        var begin = await browser.GetAsync(new Uri(app.AppUrl, "auth/install?shop=linked.myshopify.com"));
        begin.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var authorize = begin.Headers.Location!;
        authorize.AbsolutePath.Should().EndWith("/admin/oauth/authorize");

        var approved = await browser.GetAsync(authorize);
        approved.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var callback = approved.Headers.Location!;
        callback.AbsolutePath.Should().Be("/auth/callback");

        using var otherBrowser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        (await otherBrowser.GetAsync(callback)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the state is bound to the browser that started");

        var tampered = new Uri(callback.ToString().Replace("shop=linked.myshopify.com", "shop=other.myshopify.com", StringComparison.Ordinal));
        var forgedCookies = new CookieContainer();
        forgedCookies.Add(app.AppUrl, new Cookie(InstallEndpoints.StateCookie, cookies.GetCookies(new Uri(app.AppUrl, "auth/callback"))[InstallEndpoints.StateCookie]!.Value, "/auth/callback"));
        using (var replay = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = forgedCookies }))
            (await replay.GetAsync(tampered)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a changed parameter breaks the hmac");

        var done = await browser.GetAsync(callback);
        done.StatusCode.Should().Be(HttpStatusCode.Redirect);
        done.Headers.Location!.ToString().Should().Be($"https://admin.shopify.com/store/linked/apps/{WinBackApp.ApiKey}");
        await using var db = app.CreateDbContext();
        (await db.Shops.SingleAsync()).Domain.Should().Be("linked.myshopify.com");
    }

    [Fact]
    public async Task Tokens_are_refreshed_before_they_expire_and_a_refused_refresh_asks_for_reauthorization()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("refresh", clock);
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("fresh.myshopify.com"));
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "fresh.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);
        long shopId;
        await using (var db = app.CreateDbContext()) shopId = (await db.Shops.SingleAsync()).Id;

        async Task<ShopifyCredentials> CredentialsAsync()
        {
            using var scope = app.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ShopAccessTokens>().GetAsync(shopId);
        }

        var first = await CredentialsAsync();
        clock.Advance(TimeSpan.FromMinutes(50));
        (await CredentialsAsync()).AccessToken.Should().Be(first.AccessToken, "ten minutes are left: no refresh yet");

        clock.Advance(TimeSpan.FromMinutes(6));
        var refreshed = await CredentialsAsync();
        refreshed.AccessToken.Should().NotBe(first.AccessToken);
        var shopify = app.Services.GetRequiredService<ShopifyGraphQLClient>();
        (await shopify.GetShopAsync(refreshed)).MyshopifyDomain.Should().Be("fresh.myshopify.com");

        var installation = simulator.Runtime.Store.Find("fresh.myshopify.com")!.Installation!;
        installation.RefreshToken = null;
        installation.PreviousRefreshToken = null;
        clock.Advance(TimeSpan.FromMinutes(56));

        await FluentActions.Awaiting(CredentialsAsync).Should().ThrowAsync<ShopNotAuthorizedException>();
        await using (var db = app.CreateDbContext()) (await db.Shops.SingleAsync()).NeedsReauthorization.Should().BeTrue();
        await FluentActions.Awaiting(CredentialsAsync).Should().ThrowAsync<ShopNotAuthorizedException>("it does not try again and again");
    }

    [Fact]
    public async Task Uninstall_through_shopify_stops_everything_and_a_reinstall_keeps_the_settings()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("uninstall");
        await using var _ = app;
        var simulated = ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("leaving.myshopify.com"));
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "leaving.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var db = app.CreateDbContext())
            await db.ShopSettings.ExecuteUpdateAsync(s => s.SetProperty(x => x.InactivityThresholdWeeks, 9));

        ShopLifecycle.Uninstall(simulator.Runtime, simulated);
        await simulator.Runtime.Webhooks.DrainAsync();
        await app.ProcessWebhooksAsync();

        await using (var db = app.CreateDbContext())
        {
            var shop = await db.Shops.SingleAsync();
            shop.UninstalledAt.Should().NotBeNull();
            shop.AccessTokenCiphertext.Should().BeNull();
        }
        var session = app.CreateClient();
        session.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            SessionTokens.Mint("leaving.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60)));
        (await session.GetAsync("/api/session")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("leaving.myshopify.com"));
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "leaving.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var db = app.CreateDbContext())
        {
            (await db.Shops.SingleAsync()).UninstalledAt.Should().BeNull();
            (await db.ShopSettings.SingleAsync()).InactivityThresholdWeeks.Should().Be(9, "a reinstall keeps what the merchant chose");
        }
        (await session.GetAsync("/api/session")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private static async Task<List<string>> RawColumnsAsync(WinBackApp app, string sql)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        return values;
    }
}
