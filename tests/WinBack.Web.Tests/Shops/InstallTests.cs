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

namespace WinBack.Web.Tests.Shops;

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
    public async Task A_session_token_that_shopify_did_not_sign_installs_nothing()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_forged");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("forged.myshopify.com"));
        var idToken = SessionTokens.Mint("forged.myshopify.com", WinBackApp.ApiKey, "not-the-app-secret", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));

        var response = await app.CreateClient().GetAsync($"/?embedded=1&shop=forged.myshopify.com&id_token={idToken}&timestamp={DateTimeOffset.UtcNow.ToUnixTimeSeconds()}&hmac=00");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var db = app.CreateDbContext();
        (await db.Shops.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task A_signed_load_with_an_expired_session_token_bounces_through_app_bridge_and_signs_the_merchant_in()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_bounce");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("bounce.myshopify.com"));
        var query = new Dictionary<string, string>
        {
            ["embedded"] = "1",
            ["host"] = Convert.ToBase64String("admin.shopify.com/store/bounce"u8.ToArray()).TrimEnd('='),
            ["id_token"] = SessionTokens.Mint("bounce.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromSeconds(60)),
            ["shop"] = "bounce.myshopify.com",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        query["hmac"] = ShopifyHmac.SignQuery(WinBackApp.ApiSecret, query);
        using var browser = new HttpClient();

        var bounce = await browser.GetAsync(new Uri(app.AppUrl, "/?" + string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"))));

        bounce.StatusCode.Should().Be(HttpStatusCode.OK);
        (await bounce.Content.ReadAsStringAsync()).Should().Contain("app-bridge.js").And.NotContain("id=\"root\"", "the bounce page is not the app yet");
        bounce.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("https://bounce.myshopify.com");
        await using (var db = app.CreateDbContext()) (await db.Shops.AnyAsync()).Should().BeFalse("an expired session token installs nothing");

        var freshToken = SessionTokens.Mint("bounce.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));
        var signedIn = await browser.GetAsync(AppBridgeReload(bounce.RequestMessage!.RequestUri!, freshToken));

        signedIn.StatusCode.Should().Be(HttpStatusCode.OK);
        (await signedIn.Content.ReadAsStringAsync()).Should().Contain("id=\"root\"", "the merchant sees WinBack");
        await using (var db = app.CreateDbContext()) (await db.Shops.SingleAsync()).Domain.Should().Be("bounce.myshopify.com");
    }

    [Fact]
    public async Task A_token_exchange_shopify_refuses_answers_in_the_merchants_words_and_installs_nothing()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_refused");
        await using var _ = app;
        var shop = ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("refused.myshopify.com"));
        var framed = await WinBackApp.FramedAppUrlAsync(simulator.BaseUrl, "refused.myshopify.com");
        // Removed in another tab before this frame loaded: Shopify refuses the exchange with invalid_subject_token.
        ShopLifecycle.Uninstall(simulator.Runtime, shop);
        using var browser = new HttpClient();

        var response = await browser.GetAsync(framed);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Open WinBack again from your Shopify admin");
        await using var db = app.CreateDbContext();
        (await db.Shops.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task A_session_token_for_another_shop_installs_nothing()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_other_shop");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("victim.myshopify.com"));
        var idToken = SessionTokens.Mint("attacker.myshopify.com", WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));

        var response = await app.CreateClient().GetAsync($"/?embedded=1&shop=victim.myshopify.com&id_token={idToken}");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var db = app.CreateDbContext();
        (await db.Shops.AnyAsync()).Should().BeFalse();
    }

    /// <summary>
    /// What App Bridge does on a page without a valid session token: it fetches a fresh one and loads the page's
    /// shopify-reload address (or, failing that, the page itself) with id_token set.
    /// </summary>
    private static Uri AppBridgeReload(Uri page, string idToken)
    {
        var pageQuery = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(page.Query);
        var target = pageQuery.TryGetValue("shopify-reload", out var reload) ? new Uri(page, reload.ToString()) : page;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(target.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        query["id_token"] = idToken;
        return new UriBuilder(target) { Query = string.Join('&', query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}")) }.Uri;
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
    public async Task A_replayed_authorization_callback_starts_the_install_again()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_replay");
        await using var _ = app;
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies });
        var authorize = (await browser.GetAsync(new Uri(app.AppUrl, "auth/install?shop=replay.myshopify.com"))).Headers.Location!;
        var callback = (await browser.GetAsync(authorize)).Headers.Location!;
        var state = cookies.GetCookies(new Uri(app.AppUrl, "auth/callback"))[InstallEndpoints.StateCookie]!.Value;
        (await browser.GetAsync(callback)).StatusCode.Should().Be(HttpStatusCode.Redirect);

        // The browser sends the same callback again (a double click, a restored tab): its code is spent.
        cookies.Add(app.AppUrl, new Cookie(InstallEndpoints.StateCookie, state, "/auth/callback"));
        var replay = await browser.GetAsync(callback);

        replay.StatusCode.Should().Be(HttpStatusCode.Redirect);
        replay.Headers.Location.Should().Be(new Uri(app.AppUrl, "auth/install?shop=replay.myshopify.com"));
        await using var db = app.CreateDbContext();
        (await db.Shops.SingleAsync()).NeedsReauthorization.Should().BeFalse("the first callback's token is still the one stored");
    }

    [Fact]
    public async Task Two_first_loads_at_once_keep_the_token_shopify_still_honours_and_sync_once()
    {
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("install_twice");
        await using var _ = app;
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("warm.myshopify.com"));
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("twice.myshopify.com"));
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "warm.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);
        var framed = new List<Uri>();
        for (var i = 0; i < 6; i++) framed.Add(await WinBackApp.FramedAppUrlAsync(simulator.BaseUrl, "twice.myshopify.com"));

        using var browser = new HttpClient();
        var loads = await Task.WhenAll(framed.Select(url => Task.Run(() => browser.GetAsync(url))));

        loads.Select(l => l.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        var stored = await CredentialsAsync(app, "twice.myshopify.com");
        simulator.Runtime.Store.Find("twice.myshopify.com")!.Installation!.AccessTokens.Keys.Should().Equal([stored.AccessToken], "issuing a token revokes the one before");
        (await FirstSyncsQueuedAsync(app)).Should().Be(2, "one first sync for each shop, however many loads");
    }

    /// <summary>
    /// WinBack installed on <paramref name="shop"/>, then the merchant removes and adds it again: its app/uninstalled is
    /// received but not processed yet, and an hour on Shopify refuses WinBack's old refresh token.
    /// </summary>
    private static async Task<(WinBackApp App, RunningSimulator Simulator)> StartAndReinstallUnnoticedAsync(string databasePrefix, string shop)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync(databasePrefix, clock);
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop(shop));
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, shop)).StatusCode.Should().Be(HttpStatusCode.OK);
        ShopLifecycle.Uninstall(simulator.Runtime, simulator.Runtime.Store.Find(shop)!);
        await simulator.Runtime.Webhooks.DrainAsync();
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop(shop));
        clock.Advance(TimeSpan.FromMinutes(56));
        await FluentActions.Awaiting(() => CredentialsAsync(app, shop)).Should().ThrowAsync<ShopNotAuthorizedException>("Shopify refuses the old refresh token");
        return (app, simulator);
    }

    [Fact]
    public async Task A_reinstall_found_through_a_refused_refresh_subscribes_to_webhooks_and_syncs_again()
    {
        var (app, simulator) = await StartAndReinstallUnnoticedAsync("reinstall_refresh", "again.myshopify.com");
        await using var _ = app;

        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "again.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);

        await CredentialsAsync(app, "again.myshopify.com");
        simulator.Runtime.Store.Find("again.myshopify.com")!.WebhookSubscriptions.Select(s => s.Topic).Should().Contain(["app/uninstalled", "orders/create"]);
        (await FirstSyncsQueuedAsync(app)).Should().Be(2, "the shop's data may have changed while WinBack was away");
    }

    [Fact]
    public async Task An_app_uninstalled_received_before_a_reinstall_but_processed_after_it_leaves_the_shop_installed()
    {
        var (app, simulator) = await StartAndReinstallUnnoticedAsync("reinstall_stale_uninstall", "stale.myshopify.com");
        await using var _ = app;
        (await WinBackApp.OpenFromAdminAsync(simulator.BaseUrl, "stale.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.OK);

        await app.ProcessWebhooksAsync();

        await using var db = app.CreateDbContext();
        (await db.WebhookReceipts.SingleAsync(r => r.Topic == "app/uninstalled")).Status.Should().Be(WinBack.Web.Webhooks.WebhookReceiptStatus.Processed);
        (await db.Shops.SingleAsync(s => s.Domain == "stale.myshopify.com")).UninstalledAt.Should().BeNull("that uninstall came before the reinstall");
        await CredentialsAsync(app, "stale.myshopify.com");
    }

    [Theory]
    [InlineData("linked.myshopify.com%0A")]
    [InlineData("linked.myshopify.com%0D%0ASet-Cookie:%20x=1")]
    public async Task A_shop_address_with_a_line_break_is_not_a_shop(string shop)
    {
        await using var app = await WinBackApp.StartAsync("shop_line_break");

        var response = await app.CreateClient().GetAsync($"/auth/install?shop={shop}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Behind_a_known_tls_proxy_the_state_cookie_is_secure()
    {
        var (app, _) = await WinBackApp.StartWithSimulatorAsync("forwarded_proto", settings: new Dictionary<string, string> { ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8" });
        await using var _ = app;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.AppUrl, "auth/install?shop=proxied.myshopify.com"));
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        var response = await browser.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(InstallEndpoints.StateCookie, StringComparison.Ordinal)).Should().Contain("secure");
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

    private static async Task<ShopifyCredentials> CredentialsAsync(WinBackApp app, string shopDomain)
    {
        long shopId;
        await using (var db = app.CreateDbContext()) shopId = (await db.Shops.SingleAsync(s => s.Domain == shopDomain)).Id;
        using var scope = app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ShopAccessTokens>().GetAsync(shopId);
    }

    private static async Task<int> FirstSyncsQueuedAsync(WinBackApp app) =>
        (await RawColumnsAsync(app, "SELECT invocationdata FROM hangfire.job")).Count(j => j.Contains(nameof(InitialSyncJob)));

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
