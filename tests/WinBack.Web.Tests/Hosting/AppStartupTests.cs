using System.Net;
using System.Net.Http.Json;

namespace WinBack.Web.Tests.Hosting;

public sealed class AppStartupTests
{
    [Fact]
    public async Task The_app_starts_against_a_migrated_database_and_answers()
    {
        await using var app = await WinBackApp.StartAsync("startup");
        var response = await app.CreateClient().GetAsync("/healthz");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_api_is_described_by_openapi_with_its_report_endpoints()
    {
        await using var app = await WinBackApp.StartAsync("openapi");
        var document = await app.CreateClient().GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/api/reports/inactive", "/api/reports/inactive/summary", "/api/reports/without-orders", "/api/settings", "/api/views",
            "/api/reports/outcomes", "/api/reports/inactive/products", "/api/predictions/model", "/api/shopify-tags", "/api/data-retention"]);
        paths.Should().NotContain("/exports/inactive-customers.csv", "the download link is not an API for clients to call");
    }

    [Fact]
    public async Task The_jobs_dashboard_is_off_without_a_password_and_for_the_operator_only_with_one()
    {
        await using (var closed = await WinBackApp.StartAsync("dashboard-off"))
            (await closed.CreateClient().GetAsync("/ops/jobs")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var app = await WinBackApp.StartAsync("dashboard-on", settings: new Dictionary<string, string> { ["Jobs:DashboardPassword"] = "s3cret" });
        var client = app.CreateClient();
        var anonymous = await client.GetAsync("/ops/jobs");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().Should().StartWith("Basic");
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("operator:wrong"u8.ToArray()));
        (await client.GetAsync("/ops/jobs")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("operator:s3cret"u8.ToArray()));
        (await client.GetAsync("/ops/jobs")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_missing_connection_string_stops_the_app_with_a_sentence_naming_the_setting()
    {
        var run = await AppProcess.RunUntilItExitsAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__WinBack"] = "",
            ["Database__ConnectionString"] = "",
        });

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("Set ConnectionStrings:WinBack");
    }

    [Fact]
    public async Task Outside_development_the_app_refuses_to_start_without_a_key_ring_certificate_and_names_the_opt_out()
    {
        var run = await AppProcess.RunUntilItExitsAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__WinBack"] = "Host=127.0.0.1;Database=unused",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["KeyRing__AllowUnencrypted"] = "false",
        });

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("KeyRing:Certificate").And.Contain("KeyRing:AllowUnencrypted=true");
    }

    [Fact]
    public async Task An_unknown_shopify_api_version_stops_the_app()
    {
        var run = await AppProcess.RunUntilItExitsAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__WinBack"] = "Host=127.0.0.1;Database=unused",
            ["Shopify__ApiVersion"] = "2026-13",
        });

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("ApiVersion");
    }
}
