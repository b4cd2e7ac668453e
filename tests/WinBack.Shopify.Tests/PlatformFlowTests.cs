using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.Shopify.Tests;

/// <summary>What Shopify does around the API: OAuth redirects, the admin frame, webhook retries on its clock, compliance requests.</summary>
public sealed class PlatformFlowTests
{
    [Fact]
    public async Task A_failed_webhook_is_retried_with_backoff_on_shopifys_clock_with_the_same_webhook_id()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await SimulatorHost.StartAsync(time: clock);
        using var receiver = await WebhookReceiver.StartAsync(n => (n < 3 ? 500 : 200, TimeSpan.Zero));
        var shop = ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("retry.myshopify.com"));
        lock (shop.Sync) shop.WebhookSubscriptions.Add(new SimulatedWebhookSubscription(1, WebhookTopics.CustomersUpdate, receiver.Url));
        var webhooks = simulator.Runtime.Webhooks;

        lock (shop.Sync) webhooks.Publish(shop, WebhookTopics.CustomersUpdate, new { id = 1 });
        await webhooks.DrainAsync();
        webhooks.Attempts.Should().ContainSingle().Which.StatusCode.Should().Be(500);

        clock.Advance(TimeSpan.FromSeconds(59));
        await webhooks.DrainAsync();
        webhooks.Attempts.Should().HaveCount(1, "the first retry waits a minute");

        clock.Advance(TimeSpan.FromSeconds(1));
        await webhooks.DrainAsync();
        clock.Advance(TimeSpan.FromMinutes(2));
        await webhooks.DrainAsync();

        webhooks.Attempts.Select(a => a.StatusCode).Should().Equal(500, 500, 200);
        webhooks.Attempts.Select(a => a.WebhookId).Distinct().Should().ContainSingle("a retry is the same delivery");
        webhooks.PendingCount.Should().Be(0);
        var received = new[] { await receiver.NextAsync(), await receiver.NextAsync(), await receiver.NextAsync() };
        received.Select(r => r.Headers["X-Shopify-Webhook-Id"]).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task A_webhook_not_answered_within_the_timeout_counts_as_failed()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.WebhookTimeout = TimeSpan.FromMilliseconds(300));
        using var receiver = await WebhookReceiver.StartAsync(_ => (200, TimeSpan.FromSeconds(2)));
        var shop = ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("slow.myshopify.com"));
        lock (shop.Sync)
        {
            shop.WebhookSubscriptions.Add(new SimulatedWebhookSubscription(1, WebhookTopics.OrdersCreate, receiver.Url));
            simulator.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersCreate, new { id = 1 });
        }

        await simulator.Runtime.Webhooks.DrainAsync();

        simulator.Runtime.Webhooks.Attempts.Should().ContainSingle().Which.Error.Should().Contain("No response");
        simulator.Runtime.Webhooks.PendingCount.Should().Be(1, "it will be retried");
    }

    [Fact]
    public async Task Authorize_redirects_back_with_a_code_and_an_hmac_the_app_can_verify()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var options = simulator.Runtime.Options;

        var response = await http.GetAsync(simulator.ShopUrl("oauth.myshopify.com",
            $"admin/oauth/authorize?client_id={options.ApiKey}&scope=read_customers,read_orders&redirect_uri=https://app.example/auth/callback&state=nonce123&grant_options[]="));

        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var callback = response.Headers.Location!;
        callback.GetLeftPart(UriPartial.Path).Should().Be("https://app.example/auth/callback");
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        var parameters = query.AllKeys.ToDictionary(k => k!, k => query[k]!);
        parameters.Keys.Should().BeEquivalentTo(["code", "hmac", "host", "shop", "state", "timestamp"]);
        parameters["state"].Should().Be("nonce123");
        ShopifyHmac.VerifyQuery(options.ApiSecret, parameters, parameters["hmac"]).Should().BeTrue();

        var token = await http.PostAsJsonAsync(simulator.ShopUrl("oauth.myshopify.com", "admin/oauth/access_token"),
            new { client_id = options.ApiKey, client_secret = options.ApiSecret, code = parameters["code"] });
        token.StatusCode.Should().Be(HttpStatusCode.OK);
        var again = await http.PostAsJsonAsync(simulator.ShopUrl("oauth.myshopify.com", "admin/oauth/access_token"),
            new { client_id = options.ApiKey, client_secret = options.ApiSecret, code = parameters["code"] });
        again.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a code is good for one exchange only");
    }

    [Fact]
    public async Task The_admin_page_frames_the_app_with_a_signed_embedded_query_and_a_fresh_session_token()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.AppUrl = new Uri("https://winback.example/"));
        ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("framed.myshopify.com"));
        var options = simulator.Runtime.Options;

        var html = await new HttpClient().GetStringAsync(new Uri(simulator.BaseUrl, $"store/framed/apps/{options.ApiKey}"));

        var src = WebUtility.HtmlDecode(Regex.Match(html, "<iframe[^>]*src=\"([^\"]+)\"").Groups[1].Value);
        src.Should().StartWith("https://winback.example/?embedded=1&");
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(src).Query);
        var parameters = query.AllKeys.ToDictionary(k => k!, k => query[k]!);
        parameters.Keys.Should().BeEquivalentTo(["embedded", "hmac", "host", "id_token", "locale", "session", "shop", "timestamp"]);
        ShopifyHmac.VerifyQuery(options.ApiSecret, parameters, parameters["hmac"]).Should().BeTrue();
        WinBack.ShopifySimulator.OAuth.SessionTokens.ValidShop(parameters["id_token"], options.ApiKey, options.ApiSecret, DateTimeOffset.UtcNow)
            .Should().Be("framed.myshopify.com");
    }

    [Fact]
    public async Task Uninstall_sends_app_uninstalled_and_compliance_requests_go_to_the_compliance_url()
    {
        using var receiver = await WebhookReceiver.StartAsync();
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.AppWebhookUrl = receiver.Url;
            o.AppWebhookTopics = [WebhookTopics.AppUninstalled];
            o.ComplianceWebhookUrl = receiver.Url;
        });
        var shop = ShopLifecycle.CreateAndInstall(simulator.Runtime, new ShopLifecycle.NewShop("leaving.myshopify.com", Orders: 50));
        long customerId;
        lock (shop.Sync) customerId = shop.Customers[0].Id;

        ShopLifecycle.Uninstall(simulator.Runtime, shop);
        ShopLifecycle.SendCompliance(simulator.Runtime, shop, WebhookTopics.CustomersRedact, customerId).Should().BeTrue();
        ShopLifecycle.SendCompliance(simulator.Runtime, shop, WebhookTopics.ShopRedact, null).Should().BeTrue();
        await simulator.Runtime.Webhooks.DrainAsync();

        var topics = new List<string>();
        for (var i = 0; i < 3; i++) topics.Add((await receiver.NextAsync()).Headers["X-Shopify-Topic"]);
        topics.Should().BeEquivalentTo([WebhookTopics.AppUninstalled, WebhookTopics.CustomersRedact, WebhookTopics.ShopRedact]);
        shop.Installation!.IsInstalled.Should().BeFalse();
    }
}
