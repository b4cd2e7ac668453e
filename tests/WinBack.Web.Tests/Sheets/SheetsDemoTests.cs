using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WinBack.SheetsSimulator;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Sheets;

/// <summary>
/// The Sheets connect flow as a person running the local demo (scripts/run-local.sh, docker-compose.yml) goes through it:
/// the simulator writes its service account's key file, the app is given that file, the spreadsheet is made, verified
/// and looked at on the simulator's own pages.
/// </summary>
public sealed class SheetsDemoTests : IAsyncLifetime
{
    private readonly string _keyFile = Path.Combine(Directory.CreateTempSubdirectory("winback-sheets-demo-").FullName, "sheets-service-account.json");
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _google = await SheetsSimulatorHost.StartAsync(o => o.ServiceAccountKeyFile = _keyFile);
        _app = await WinBackApp.StartAsync("sheets-demo", settings: new Dictionary<string, string>
        {
            ["Sheets:BaseUrl"] = _google.BaseUrl.ToString(),
            ["Sheets:TokenUrl"] = _google.TokenUrl.ToString(),
            ["Sheets:ServiceAccountKeyFile"] = _keyFile,
        });
        _shop = await new ReportShop(_app, "demo-shop.myshopify.com")
            .Customer(1, "Carol", "Cooper").Order(1, MonthsAgo(8), 100m)
            .Customer(2, "Grace", "Green").Order(2, MonthsAgo(6), 250m)
            .SaveAsync();
    }

    [Fact]
    public async Task A_spreadsheet_made_on_the_simulators_page_connects_verifies_and_shows_the_customers_written()
    {
        var merchant = _app.CreateClientFor(_shop.Domain);
        var page = await merchant.GetFromJsonAsync<JsonElement>("/api/sheets");
        using (var key = JsonDocument.Parse(await File.ReadAllTextAsync(_keyFile)))
            page.GetProperty("serviceAccountEmail").GetString().Should().Be(key.RootElement.GetProperty("client_email").GetString(), "the settings name the account to share with");

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _google.BaseUrl };
        var created = await browser.PostAsync("/spreadsheets", new FormUrlEncodedContent(new Dictionary<string, string> { ["title"] = "Win-back customers" }));
        created.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var spreadsheet = new Uri(_google.BaseUrl, created.Headers.Location!);
        (await browser.GetStringAsync(spreadsheet)).Should().Contain($"<code>{spreadsheet}</code>", "the page shows the address to paste into WinBack");

        var connect = await merchant.PostAsJsonAsync("/api/sheets", new { spreadsheet = spreadsheet.ToString(), tab = "Inactive customers", frequency = "Daily" });
        connect.StatusCode.Should().Be(HttpStatusCode.OK, await connect.Content.ReadAsStringAsync());
        var sync = await connect.Content.ReadFromJsonAsync<JsonElement>();
        var typed = await browser.PostAsync($"{spreadsheet}/cells", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["tab"] = SheetOwnership.VerificationTab, ["cell"] = SheetOwnership.VerificationCell, ["text"] = sync.GetProperty("verificationCode").GetString()!,
        }));
        typed.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var verified = await merchant.PostAsync($"/api/sheets/{sync.GetProperty("id").GetInt64()}/verify", null);
        verified.StatusCode.Should().Be(HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        await _app.RunJobAsync<SheetSyncJob>(job => job.RunAsync(_shop.ShopId, sync.GetProperty("id").GetInt64(), CancellationToken.None));

        var tab = await browser.GetStringAsync($"{spreadsheet}?tab={Uri.EscapeDataString("Inactive customers")}");
        tab.Should().Contain("<td>Customer ID</td>").And.Contain("<td>Carol</td>").And.Contain("<td>Grace</td>");
        tab.Should().NotContain($">{SheetOwnership.VerificationTab}</a></h2>", "only the tab asked for is shown");
    }

    [Fact]
    public async Task A_restarted_simulator_keeps_the_account_of_its_key_file_so_the_app_still_gets_tokens()
    {
        await using var restarted = await SheetsSimulatorHost.StartAsync(o => o.ServiceAccountKeyFile = _keyFile);
        restarted.Store.ServiceAccountEmails().Should().Equal(_google.Store.ServiceAccountEmails());

        var options = new SheetsOptions { TokenUrl = restarted.TokenUrl, ServiceAccountKeyFile = _keyFile };
        options.LoadKeyFile();
        var token = await new SheetsAccessTokens(Microsoft.Extensions.Options.Options.Create(options)).GetAsync(CancellationToken.None);

        token.Should().StartWith("ya29.", "the second demo run's simulator grants the token the app asks for with the same key");
    }

    /// <summary>A shop-local time (the app runs on the real clock here, as in the demo).</summary>
    private static DateTime MonthsAgo(int months) => DateTime.SpecifyKind(DateTime.UtcNow.Date.AddMonths(-months), DateTimeKind.Unspecified);

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_keyFile)!, recursive: true);
    }
}
