using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace WinBack.Web.Tests.Operations;


/// <summary>/metrics as the operator's Prometheus scrapes it: WinBack's own counters next to ASP.NET Core's and Npgsql's, for the operator only.</summary>
[Collection(RunsAlone.Name)]
public sealed class MetricsTests
{
    private const string Password = "scrape-s3cret";
    private static readonly Dictionary<string, string> WithOperator = new() { ["Jobs:DashboardPassword"] = Password };

    [Fact]
    public async Task After_webhooks_are_received_and_applied_or_set_aside_an_operator_scrape_shows_the_counters_and_the_backlog_moved()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        await using var app = await WinBackApp.StartAsync("metrics", clock, settings: WithOperator);
        (await app.PostWebhookAsync("app/uninstalled", "gauge.myshopify.com", """{"myshopify_domain":"gauge.myshopify.com"}""")).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromMinutes(10));

        var before = await ScrapeAsync(app);
        (await app.PostWebhookAsync("customers/update", "gauge.myshopify.com", "not json")).EnsureSuccessStatusCode();
        await app.ProcessWebhooksAsync();
        var after = await ScrapeAsync(app);

        Value(before, "winback_webhooks_oldest_pending_age_seconds").Should().BeGreaterThanOrEqualTo(600, "the uninstall has waited ten minutes");
        Value(before, "winback_webhooks_received_total", "app/uninstalled").Should().BeGreaterThanOrEqualTo(1);
        Value(after, "winback_webhooks_received_total", "customers/update").Should().BeGreaterThanOrEqualTo(Value(before, "winback_webhooks_received_total", "customers/update") + 1);
        Value(after, "winback_webhooks_applied_total", "app/uninstalled").Should().BeGreaterThanOrEqualTo(Value(before, "winback_webhooks_applied_total", "app/uninstalled") + 1);
        Value(after, "winback_webhooks_quarantined_total", "customers/update").Should().BeGreaterThanOrEqualTo(Value(before, "winback_webhooks_quarantined_total", "customers/update") + 1,
            "a body that is not JSON is set aside at once");
        after.Should().Contain("http_server_request_duration_seconds").And.Contain("db_client_operation_duration_seconds",
            "ASP.NET Core's and Npgsql's own meters are exported too");
        after.Should().NotContain("gauge.myshopify.com", "a shop is never a label: thousands of shops would be thousands of series");
    }

    [Fact]
    public async Task Metrics_are_for_the_operator_only_and_not_served_without_an_operator_password()
    {
        await using (var closed = await WinBackApp.StartAsync("metrics-off"))
            (await closed.CreateClient().GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var app = await WinBackApp.StartAsync("metrics-on", settings: WithOperator);
        var client = app.CreateClient();
        var anonymous = await client.GetAsync("/metrics");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic");
        client.DefaultRequestHeaders.Authorization = Basic("operator", "wrong");
        (await client.GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.CreateClientFor("merchant.myshopify.com").GetAsync("/metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a merchant's session is not the operator");
    }

    private static async Task<string> ScrapeAsync(WinBackApp app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Basic("operator", Password);
        var response = await client.GetAsync("/metrics");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>The sum of a metric's samples (of one topic, when given) in Prometheus' text format; 0 when it has none yet.</summary>
    private static double Value(string scrape, string metric, string? topic = null) =>
        scrape.Split('\n')
            .Select(line => Regex.Match(line, $@"^{metric}(\{{(?<labels>[^}}]*)\}})? (?<value>\S+)"))
            .Where(m => m.Success && (topic is null || m.Groups["labels"].Value.Contains($"topic=\"{topic}\"", StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
}
