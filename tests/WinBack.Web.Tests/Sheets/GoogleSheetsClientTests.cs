using Microsoft.Extensions.DependencyInjection;
using WinBack.SheetsSimulator;
using WinBack.Web.Sheets;

namespace WinBack.Web.Tests.Sheets;

/// <summary>Our Sheets v4 client and Google.Apis.Auth's service-account tokens against the simulated Google on loopback.</summary>
public sealed class GoogleSheetsClientTests : IAsyncLifetime
{
    private const string ServiceAccount = "winback-sync@winback-test.iam.gserviceaccount.com";
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        _google = await SheetsSimulatorHost.StartAsync(o =>
        {
            o.WriteRequestsPerWindow = 3;
            o.QuotaWindow = TimeSpan.FromSeconds(2);
            o.MaxCells = 50_000;
        });
        var key = _google.Store.CreateServiceAccount(ServiceAccount);
        _app = await WinBackApp.StartAsync("sheets-client", settings: new Dictionary<string, string>
        {
            ["Sheets:BaseUrl"] = _google.BaseUrl.ToString(),
            ["Sheets:TokenUrl"] = _google.TokenUrl.ToString(),
            ["Sheets:ServiceAccountEmail"] = ServiceAccount,
            ["Sheets:ServiceAccountPrivateKey"] = key,
            ["Sheets:RetryBaseDelay"] = "00:00:00.500",
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
    }

    private GoogleSheetsClient Client() => _app.Services.CreateScope().ServiceProvider.GetRequiredService<GoogleSheetsClient>();

    [Fact]
    public async Task Values_are_written_raw_so_a_formula_like_name_stays_text_and_one_token_serves_many_calls()
    {
        var sheet = _google.Store.CreateSpreadsheet("Win-back", ServiceAccount);
        var client = Client();

        await client.WriteValuesAsync(sheet.Id, [(GoogleSheetsClient.Range("Sheet1", "A1:B2"), [["Name", "Email"], ["=HYPERLINK(\"http://x\")", "a@example.com"]])], CancellationToken.None);
        var info = await client.GetSpreadsheetAsync(sheet.Id, CancellationToken.None);

        info.Tabs.Should().Equal(new SheetTab(0, "Sheet1", 1000, 26));
        var tab = sheet.Tabs.Single();
        tab.Rows().Should().BeEquivalentTo(new[] { new[] { "Name", "Email" }, new[] { "=HYPERLINK(\"http://x\")", "a@example.com" } }, o => o.WithStrictOrdering());
        tab.Formulas.Should().BeEmpty("valueInputOption=RAW stores text as text");
        _google.Store.TokenRequests.Should().Be(1, "Google.Apis.Auth signed one JWT and cached the access token it got for it");
    }

    [Fact]
    public async Task A_tab_is_added_and_resized_and_writing_past_its_grid_is_a_clear_error()
    {
        var sheet = _google.Store.CreateSpreadsheet("Win-back", ServiceAccount);
        var client = Client();
        var replies = await client.BatchUpdateAsync(sheet.Id, [new { addSheet = new { properties = new { title = "Inactive's list", gridProperties = new { rowCount = 2, columnCount = 3 } } } }], CancellationToken.None);
        var sheetId = replies[0].GetProperty("addSheet").GetProperty("properties").GetProperty("sheetId").GetInt32();

        var tooFar = () => client.WriteValuesAsync(sheet.Id, [(GoogleSheetsClient.Range("Inactive's list", "A1:C3"), [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]])], CancellationToken.None);
        (await tooFar.Should().ThrowAsync<SheetsLimitException>()).Which.Message.Should().Contain("exceeds grid limits");

        await client.BatchUpdateAsync(sheet.Id, [new { updateSheetProperties = new { properties = new { sheetId, gridProperties = new { rowCount = 3 } }, fields = "gridProperties.rowCount" } }], CancellationToken.None);
        await tooFar();
        sheet.Tabs.Single(t => t.SheetId == sheetId).Rows().Should().HaveCount(3);

        var tooBig = () => client.BatchUpdateAsync(sheet.Id, [new { updateSheetProperties = new { properties = new { sheetId, gridProperties = new { rowCount = 100_000 } }, fields = "gridProperties.rowCount" } }], CancellationToken.None);
        (await tooBig.Should().ThrowAsync<SheetsLimitException>()).Which.Message.Should().Contain("above the limit of 50000 cells");
    }

    [Fact]
    public async Task A_sheet_not_shared_with_the_service_account_and_a_deleted_sheet_are_told_apart()
    {
        var notShared = _google.Store.CreateSpreadsheet("Private");
        var client = Client();

        var denied = await client.Invoking(c => c.GetSpreadsheetAsync(notShared.Id, CancellationToken.None)).Should().ThrowAsync<SheetsPermissionDeniedException>();
        denied.Which.Message.Should().Be($"WinBack cannot edit this spreadsheet. Share it with {ServiceAccount} as an editor.");
        await client.Invoking(c => c.GetSpreadsheetAsync("no-such-sheet", CancellationToken.None)).Should().ThrowAsync<SheetsNotFoundException>();
    }

    [Fact]
    public async Task The_per_minute_write_quota_is_waited_out_and_nothing_is_dropped()
    {
        var sheet = _google.Store.CreateSpreadsheet("Busy", ServiceAccount);
        var client = Client();

        for (var row = 1; row <= 7; row++)
            await client.WriteValuesAsync(sheet.Id, [(GoogleSheetsClient.Range("Sheet1", $"A{row}"), [[$"row {row}"]])], CancellationToken.None);

        sheet.Tabs.Single().Rows().Select(r => r[0]).Should().Equal(Enumerable.Range(1, 7).Select(i => $"row {i}"));
        _google.Store.QuotaRejections.Should().BePositive("three writes per two seconds were allowed, so the client had to wait");
    }

    [Fact]
    public async Task A_key_Google_does_not_know_is_an_authentication_error_not_a_silent_failure()
    {
        await using var impostor = await WinBackApp.StartAsync("sheets-impostor", settings: new Dictionary<string, string>
        {
            ["Sheets:BaseUrl"] = _google.BaseUrl.ToString(),
            ["Sheets:TokenUrl"] = _google.TokenUrl.ToString(),
            ["Sheets:ServiceAccountEmail"] = ServiceAccount,
            ["Sheets:ServiceAccountPrivateKey"] = System.Security.Cryptography.RSA.Create(2048).ExportPkcs8PrivateKeyPem(),
        });
        var sheet = _google.Store.CreateSpreadsheet("Win-back", ServiceAccount);
        var client = impostor.Services.CreateScope().ServiceProvider.GetRequiredService<GoogleSheetsClient>();

        var failure = await client.Invoking(c => c.GetSpreadsheetAsync(sheet.Id, CancellationToken.None)).Should().ThrowAsync<SheetsAuthenticationException>();
        failure.Which.Message.Should().Contain("Invalid JWT Signature");
    }
}
