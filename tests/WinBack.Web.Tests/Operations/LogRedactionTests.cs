using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Digests;
using WinBack.Web.Operations;
using WinBack.Web.Shops;

namespace WinBack.Web.Tests.Operations;

/// <summary>
/// A sample of what WinBack logs while a shop installs, syncs, receives webhooks (compliance ones included), reads its
/// report and sends a digest: never a customer's email, an access token, a session token or the API secret; every
/// request's event carries its request id and, where known, the shop.
/// </summary>
public sealed class LogRedactionTests
{
    private const string Shop = "logged.myshopify.com";

    [Fact]
    public async Task Logs_of_install_sync_webhooks_report_and_digest_carry_shop_and_request_id_and_no_email_or_secret()
    {
        var events = new CapturedEvents();
        using var smtp = await SmtpSink.StartAsync();
        var (app, _) = await WinBackApp.StartWithSimulatorAsync("logs", logSink: events,
            settings: new Dictionary<string, string> { ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await using var _app = app;

        var (simulated, shopId) = await app.SyncShopAsync(new ShopLifecycle.NewShop(Shop, Orders: 60, Seed: 7));
        List<(long Id, string Email)> customers;
        lock (simulated.Sync) customers = simulated.Customers.Where(c => c.Email is not null).Select(c => (c.Id, c.Email!)).ToList();
        var (someone, email) = customers[0];
        await PostAndProcessAsync(app, "customers/update", new { id = someone, email, first_name = "Ann", updated_at = DateTimeOffset.UtcNow });
        await PostAndProcessAsync(app, "customers/data_request", new { shop_domain = Shop, customer = new { id = someone, email }, orders_requested = Array.Empty<long>(), data_request = new { id = 9 } });
        await PostAndProcessAsync(app, "customers/update", new { email = customers[1].Email }, "a body without an id is set aside, and logged");
        await PostAndProcessAsync(app, "customers/redact", new { shop_domain = Shop, customer = new { id = customers[2].Id, email = customers[2].Email }, orders_to_redact = Array.Empty<long>() });
        var merchant = app.CreateClientFor(Shop);
        (await merchant.GetAsync("/api/reports/inactive")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await merchant.PutAsJsonAsync("/api/digest", new DigestSettingsDto(true, ["owner@logged.example"], "Monday", 8, AttachCsv: true))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await merchant.PostAsync("/api/digest/test", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        smtp.Messages().Should().ContainSingle("the digest with its customers went out");
        string accessToken;
        using (var scope = app.Services.CreateScope())
            accessToken = (await scope.ServiceProvider.GetRequiredService<ShopAccessTokens>().GetAsync(shopId)).AccessToken;
        var sessionToken = merchant.DefaultRequestHeaders.Authorization!.Parameter!;

        var logged = events.Rendered();
        logged.Should().HaveCountGreaterThan(20);
        var everything = string.Join('\n', logged);
        foreach (var (_, customerEmail) in customers) everything.Should().NotContain(customerEmail);
        everything.Should().NotContain(accessToken).And.NotContain(WinBackApp.ApiSecret).And.NotContain(sessionToken);

        var requests = events.Requests();
        requests.Should().OnlyContain(e => e.Properties.ContainsKey(RequestLogging.RequestIdProperty));
        var shopRequests = requests.Where(e => Path(e).StartsWith("/api/", StringComparison.Ordinal) || Path(e) == "/webhooks").ToList();
        shopRequests.Should().HaveCountGreaterThan(6).And.OnlyContain(e => Shop.Equals(ShopOf(e)), "the session token's shop, or the verified webhook's");
        var shopOfRequest = requests.Where(e => ShopOf(e) is not null).ToDictionary(RequestId, e => ShopOf(e));
        events.Inner().Where(e => shopOfRequest.ContainsKey(RequestId(e))).Should().NotBeEmpty()
            .And.OnlyContain(e => ShopOf(e) == shopOfRequest[RequestId(e)], "events logged while a request runs carry its shop");
    }

    [Fact]
    public async Task In_production_every_line_the_app_prints_is_a_json_event()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("jsonlogs");
        try
        {
            var run = await AppProcess.RunUntilItExitsAsync(
                new Dictionary<string, string> { ["ConnectionStrings__WinBack"] = database, ["ASPNETCORE_ENVIRONMENT"] = "Production" }, "migrate");

            run.ExitCode.Should().Be(0, run.Output);
            var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            lines.Should().NotBeEmpty().And.OnlyContain(line => line.StartsWith('{') && line.EndsWith('}'), run.Output);
            lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("@m").GetString()).Should().Contain("Database migrated");
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
    }

    private static async Task PostAndProcessAsync(WinBackApp app, string topic, object body, string? because = null)
    {
        (await app.PostWebhookAsync(topic, Shop, JsonSerializer.Serialize(body))).StatusCode.Should().Be(HttpStatusCode.OK, because);
        await app.ProcessWebhooksAsync();
    }

    private static string Path(LogEvent e) => e.Properties["RequestPath"] is ScalarValue { Value: string path } ? path : "";

    private static string RequestId(LogEvent e) => e.Properties.TryGetValue(RequestLogging.RequestIdProperty, out var id) ? id.ToString() : "";

    private static string? ShopOf(LogEvent e) =>
        e.Properties.TryGetValue(RequestLogging.ShopDomainProperty, out var shop) && shop is ScalarValue { Value: string domain } ? domain : null;

    /// <summary>What the app's Serilog writes, kept as events and as the JSON a production console would print.</summary>
    private sealed class CapturedEvents : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

        public List<string> Rendered() => _events.Select(e =>
        {
            using var text = new StringWriter();
            new RenderedCompactJsonFormatter().Format(e, text);
            return text.ToString();
        }).ToList();

        /// <summary>The one summary event per request (Serilog's request logging).</summary>
        public List<LogEvent> Requests() => _events.Where(e => e.Properties.ContainsKey("RequestPath") && e.Properties.ContainsKey("Elapsed")).ToList();

        /// <summary>Events logged while a request ran (not its summary).</summary>
        public List<LogEvent> Inner() => _events.Where(e => !e.Properties.ContainsKey("Elapsed") && e.Properties.ContainsKey(RequestLogging.RequestIdProperty)).ToList();
    }
}
