using System.Net;
using System.Net.Http.Json;
using WinBack.ShopifySimulator.Seeding;
using WinBack.ShopifySimulator.Store;

namespace WinBack.Shopify.Tests;

[Collection(SimulatorCollection.Name)]
public sealed class SimulatorBehaviourTests(SimulatorFixture fixture)
{
    /// <summary>A shop of its own store, filled by the generator.</summary>
    private static SimulatedShop Generated(string domain, int seed, int orders, DateTimeOffset now)
    {
        var store = new SimulatorStore(TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new WinBack.ShopifySimulator.SimulatorOptions()));
        var shop = store.GetOrCreate(domain);
        ShopDataGenerator.Populate(shop, store, new GeneratedShopSpec(seed, orders, now));
        return shop;
    }

    [Fact]
    public void The_generator_gives_the_same_shop_for_the_same_seed_and_a_different_one_for_another()
    {
        static string Fingerprint(int seed)
        {
            var shop = Generated("gen.myshopify.com", seed, 3_000, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
            return string.Join('|', shop.Orders.Select(o => $"{o.Id - shop.Orders[0].Id}:{o.CustomerId - shop.Customers[0].Id}:{o.ProcessedAt.UtcTicks}:{o.CurrentTotalPrice}:{o.Test}:{o.CancelledAt?.UtcTicks}"))
                + string.Join('|', shop.Customers.Select(c => $"{c.FirstName}{c.LastName}{c.Email}"));
        }

        Fingerprint(42).Should().Be(Fingerprint(42));
        Fingerprint(42).Should().NotBe(Fingerprint(43));
    }

    [Fact]
    public void A_generated_shop_has_the_edge_cases_the_report_must_handle()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var shop = Generated("edge.myshopify.com", 5, 5_000, now);

        shop.Orders.Should().HaveCount(5_000);
        shop.Orders.Should().Contain(o => o.CancelledAt != null).And.Contain(o => o.Refunds.Count > 0)
            .And.Contain(o => o.Test).And.Contain(o => o.CustomerId == null).And.Contain(o => o.PresentmentCurrency != "USD");
        shop.Orders.Should().OnlyContain(o => o.ProcessedAt <= now);
        var orderCounts = shop.Orders.Where(o => o.CustomerId != null).GroupBy(o => o.CustomerId).Select(g => g.Count()).ToList();
        orderCounts.Should().Contain(1).And.Contain(c => c >= 10, "weekly buyers have many orders");
        shop.Customers.Count(c => shop.OrdersOf(c.Id).Any()).Should().BeLessThan(shop.Customers.Count, "some accounts never buy");
    }

    [Fact]
    public void A_generated_shops_customers_buy_as_the_buy_till_you_die_process_says_so_the_models_fit_inside_their_bounds()
    {
        var now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var shop = Generated("btyd.myshopify.com", 3, 150_000, now);

        // Each customer's order days, as WinBack's refit folds them (cancelled and test orders left out).
        var buyers = shop.Orders.Where(o => o.CustomerId != null && o.CancelledAt == null && !o.Test)
            .GroupBy(o => o.CustomerId)
            .Select(g => g.Select(o => DateOnly.FromDateTime(o.ProcessedAt.UtcDateTime)).Distinct().Order().ToList())
            .Select(days => new WinBack.Analytics.RepeatBuyer(days.Count - 1, (days[^1].DayNumber - days[0].DayNumber) / 7.0,
                (DateOnly.FromDateTime(now.UtcDateTime).DayNumber - days[0].DayNumber) / 7.0))
            .ToList();
        buyers.Count(b => b.Frequency == 0).Should().BeGreaterThan(buyers.Count / 2, "most customers of a shop buy once");

        var fit = WinBack.Analytics.BetaGeometricNbd.Fit(buyers);
        fit.Limit.Should().BeNull("the customers stop buying at rates that differ: no limiting model fits them better");
        var drawn = WinBack.Analytics.BuyTillYouDie.TypicalShop;
        fit.Model.R.Should().BeApproximately(drawn.R, drawn.R * 0.3);
        fit.Model.Alpha.Should().BeApproximately(drawn.Alpha, drawn.Alpha * 0.3);
        fit.Model.A.Should().BeApproximately(drawn.A, drawn.A * 0.4);
        fit.Model.B.Should().BeApproximately(drawn.B, drawn.B * 0.4);
    }

    [Fact]
    public async Task An_order_created_through_graphql_emits_a_signed_webhook()
    {
        var shop = await fixture.InstallShopAsync();
        using var receiver = await WebhookReceiver.StartAsync();
        var client = fixture.Client();
        await client.ExecuteAsync<System.Text.Json.JsonElement>(shop,
            "mutation($topic: WebhookSubscriptionTopic!, $url: URL!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { callbackUrl: $url }) { userErrors { message } } }",
            new { topic = "ORDERS_CREATE", url = receiver.Url.ToString() });

        var created = await client.ExecuteAsync<System.Text.Json.JsonElement>(shop, """
            mutation { orderCreate(order: { processedAt: "2026-10-01T10:00:00Z", currency: USD,
              lineItems: [{ title: "Beans", quantity: 2, priceSet: { shopMoney: { amount: "12.50", currencyCode: USD } } }] }) {
              order { id currentTotalPriceSet { shopMoney { amount } } } userErrors { message } } }
            """);
        created.Data.GetProperty("orderCreate").GetProperty("order").GetProperty("currentTotalPriceSet").GetProperty("shopMoney").GetProperty("amount").GetString().Should().Be("25.0");

        await fixture.Simulator.Runtime.Webhooks.DrainAsync();
        var delivery = await receiver.NextAsync();
        delivery.Headers["X-Shopify-Topic"].Should().Be("orders/create");
        delivery.Headers["X-Shopify-Shop-Domain"].Should().Be(shop.ShopDomain);
        delivery.Headers.Should().ContainKeys("X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At", "X-Shopify-API-Version");
        ShopifyHmac.VerifyWebhook(fixture.Simulator.Runtime.Options.ApiSecret, delivery.Body, delivery.Headers["X-Shopify-Hmac-Sha256"]).Should().BeTrue();
        using var payload = System.Text.Json.JsonDocument.Parse(delivery.Body);
        payload.RootElement.GetProperty("current_total_price").GetString().Should().Be("25.0");
        payload.RootElement.GetProperty("customer").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "a guest order has no customer");
    }

    [Fact]
    public async Task The_refresh_grant_rotates_the_refresh_token_and_rejects_a_made_up_one()
    {
        var shop = await fixture.InstallShopAsync();
        var installation = fixture.Simulator.Runtime.Store.Find(shop.ShopDomain)!.Installation!;
        var refresh = installation.RefreshToken!.Token;
        using var http = new HttpClient();
        var url = fixture.Simulator.ShopUrl(shop.ShopDomain, "admin/oauth/access_token");
        var options = fixture.Simulator.Runtime.Options;

        var response = await http.PostAsJsonAsync(url, new { client_id = options.ApiKey, client_secret = options.ApiSecret, grant_type = "refresh_token", refresh_token = refresh });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        body!["refresh_token"].ToString().Should().NotBe(refresh);
        body["access_token"].ToString().Should().NotBe(shop.AccessToken);

        var oldToken = () => fixture.Client().GetShopAsync(shop);
        await oldToken.Should().ThrowAsync<ShopifyUnauthorizedException>("one expiring token per shop: the new one revokes the old");

        var bogus = await http.PostAsJsonAsync(url, new { client_id = options.ApiKey, client_secret = options.ApiSecret, grant_type = "refresh_token", refresh_token = "shprt_bogus" });
        bogus.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bogus.Content.ReadAsStringAsync()).Should().Contain("invalid_grant");
    }
}

/// <summary>A tiny HTTP endpoint on loopback that records what it receives (plays the app's webhook endpoint).</summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, (int Status, TimeSpan Delay)> _answer;
    private int _requests;
    private readonly System.Threading.Channels.Channel<(Dictionary<string, string> Headers, byte[] Body)> _received =
        System.Threading.Channels.Channel.CreateUnbounded<(Dictionary<string, string>, byte[])>();

    public Uri Url { get; }

    private WebhookReceiver(int port, Func<int, (int Status, TimeSpan Delay)>? answer)
    {
        _answer = answer ?? (_ => (200, TimeSpan.Zero));
        Url = new Uri($"http://127.0.0.1:{port}/webhooks/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    /// <summary><paramref name="answer"/> decides, for the n-th request (1-based), the status to answer and how long to wait first.</summary>
    public static Task<WebhookReceiver> StartAsync(Func<int, (int Status, TimeSpan Delay)>? answer = null)
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Task.FromResult(new WebhookReceiver(port, answer));
    }

    public async Task<(Dictionary<string, string> Headers, byte[] Body)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var (status, delay) = _answer(Interlocked.Increment(ref _requests));
            await Task.Delay(delay);
            context.Response.StatusCode = status;
            try { context.Response.Close(); }
            catch (HttpListenerException) { }
            await _received.Writer.WriteAsync((headers, buffer.ToArray()));
        }
    }

    public void Dispose() => _listener.Close();
}
