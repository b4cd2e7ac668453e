using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.SheetsSimulator;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Sheets;

/// <summary>
/// One service account serves every shop: a shop writes only to a spreadsheet its merchant proved is theirs, no tab is
/// kept by two shops, and an erased customer leaves the tab whatever state its sync is in.
/// </summary>
public sealed class SheetOwnershipAndRedactionTests : IAsyncLifetime
{
    private const string ServiceAccount = "winback-sync@winback-test.iam.gserviceaccount.com";
    private const string Tab = "Inactive customers";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero));
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;
    private ReportShop _north = null!;
    private ReportShop _south = null!;

    public async Task InitializeAsync()
    {
        _google = await SheetsSimulatorHost.StartAsync();
        var settings = SheetSyncTests.SheetsSettings(_google, _google.Store.CreateServiceAccount(ServiceAccount));
        settings["Sheets:RowsPerWrite"] = "2";
        _app = await WinBackApp.StartAsync("sheet-ownership", _clock, settings: settings);
        _north = await new ReportShop(_app, "north.myshopify.com")
            .Customer(1, "Alice", "Archer").Order(1, new DateTime(2026, 10, 25, 23, 30, 0), 50m)
            .Customer(3, "Carol", "Cooper").Order(3, new DateTime(2026, 8, 1, 12, 0, 0), 100m)
            .Customer(7, "Grace", "Green").Order(7, new DateTime(2026, 9, 1, 9, 0, 0), 200m)
            .SaveAsync();
        _south = await new ReportShop(_app, "south.myshopify.com")
            .Customer(11, "Sam", "South").Order(11, new DateTime(2026, 8, 1, 12, 0, 0), 70m)
            .SaveAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
    }

    private static Task<HttpResponseMessage> ConnectAsync(HttpClient client, SimulatedSpreadsheet spreadsheet, string tab = Tab) =>
        client.PostAsJsonAsync("/api/sheets", new ConnectSheetRequest($"https://docs.google.com/spreadsheets/d/{spreadsheet.Id}/edit", tab, null, "daily"));

    /// <summary>The merchant connects their spreadsheet, types the code it shows into it, presses Verify, and the queued first run happens.</summary>
    private async Task<long> ConnectProvedAsync(ReportShop shop, SimulatedSpreadsheet spreadsheet)
    {
        var client = _app.CreateClientFor(shop.Domain);
        var connected = await ConnectAsync(client, spreadsheet);
        connected.StatusCode.Should().Be(HttpStatusCode.OK, await connected.Content.ReadAsStringAsync());
        var sync = await connected.Content.ReadFromJsonAsync<JsonElement>();
        var id = sync.GetProperty("id").GetInt64();
        if (sync.TryGetProperty("verificationCode", out var code) && code.ValueKind == JsonValueKind.String)
        {
            _google.Store.TypeAsOwner(spreadsheet, "WinBack verification", "A1", code.GetString()!);
            var verified = await client.PostAsync($"/api/sheets/{id}/verify", null);
            verified.StatusCode.Should().Be(HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        }
        await RunQueuedSheetJobsAsync();
        return id;
    }

    /// <summary>What a Hangfire worker does with the queued sheet jobs (tests run no Hangfire server).</summary>
    private async Task RunQueuedSheetJobsAsync()
    {
        var queued = _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Sheets, 0, 1000)
            .Where(j => j.Value.InEnqueuedState && j.Value.Job?.Type == typeof(SheetSyncJob)).ToList();
        foreach (var (jobId, job) in queued)
        {
            await _app.PerformAsync(job.Job);
            _app.Services.GetRequiredService<IBackgroundJobClient>().Delete(jobId);
        }
    }

    private async Task RunAsync(ReportShop shop, long syncId)
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<SheetSyncJob>().RunAsync(shop.ShopId, syncId, CancellationToken.None);
    }

    private Task<HttpResponseMessage> RedactAliceAsync() => _app.PostWebhookAsync("customers/redact", _north.Domain,
        $$"""{"shop_id":1,"shop_domain":"{{_north.Domain}}","customer":{"id":1,"email":"alice1@example.com"},"orders_to_redact":[]}""");

    private static List<string> FirstNames(SimulatedSpreadsheet spreadsheet) =>
        spreadsheet.Tabs.Single(t => t.Title == Tab).Rows().Skip(1).Select(r => r.Count > 1 ? r[1] : "").ToList();

    [Fact]
    public async Task A_spreadsheet_is_written_only_after_the_merchant_types_the_code_into_it()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var client = _app.CreateClientFor(_north.Domain);

        var connected = await ConnectAsync(client, spreadsheet);
        connected.StatusCode.Should().Be(HttpStatusCode.OK, await connected.Content.ReadAsStringAsync());
        var sync = await connected.Content.ReadFromJsonAsync<JsonElement>();
        var id = sync.GetProperty("id").GetInt64();
        await RunQueuedSheetJobsAsync();
        await RunAsync(_north, id);
        spreadsheet.Tabs.Should().NotContain(t => t.Title == Tab, "Google lets the shared account in, but nothing says the spreadsheet is this merchant's");
        (await client.PostAsync($"/api/sheets/{id}/run", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var noTab = await client.PostAsync($"/api/sheets/{id}/verify", null);
        noTab.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noTab.Content.ReadAsStringAsync()).Should().Contain("The spreadsheet has no tab named “WinBack verification”");
        _google.Store.TypeAsOwner(spreadsheet, "WinBack verification", "A1", "WINBACK-2222222222");
        var wrongCode = await client.PostAsync($"/api/sheets/{id}/verify", null);
        (await wrongCode.Content.ReadAsStringAsync()).Should().Contain("does not hold " + sync.GetProperty("verificationCode").GetString());

        _google.Store.TypeAsOwner(spreadsheet, "WinBack verification", "A1", sync.GetProperty("verificationCode").GetString()!);
        var verified = await client.PostAsync($"/api/sheets/{id}/verify", null);
        verified.StatusCode.Should().Be(HttpStatusCode.OK);
        await RunQueuedSheetJobsAsync();
        FirstNames(spreadsheet).Should().Equal("Carol", "Grace", "Alice");
    }

    [Fact]
    public async Task A_tab_another_store_keeps_cannot_be_connected_nor_proved_with_its_code()
    {
        var southSheet = _google.Store.CreateSpreadsheet("South flows", ServiceAccount);
        await ConnectProvedAsync(_south, southSheet);
        var north = _app.CreateClientFor(_north.Domain);

        var sameTab = await ConnectAsync(north, southSheet, "inactive CUSTOMERS");
        sameTab.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await sameTab.Content.ReadAsStringAsync()).Should().Contain("Another store already keeps this tab up to date.");

        var otherTab = await ConnectAsync(north, southSheet, "Borrowed");
        otherTab.StatusCode.Should().Be(HttpStatusCode.OK, "the service account can open it, so it can be connected, but not written");
        var id = (await otherTab.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await north.PostAsync($"/api/sheets/{id}/verify", null)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "the cell holds south's code, not north's");
        await RunQueuedSheetJobsAsync();
        await RunAsync(_north, id);
        southSheet.Tabs.Should().NotContain(t => t.Title == "Borrowed");
        FirstNames(southSheet).Should().Equal("Sam");
    }

    [Fact]
    public async Task One_stores_shop_redact_never_clears_another_stores_tab()
    {
        var southSheet = _google.Store.CreateSpreadsheet("South flows", ServiceAccount);
        await ConnectProvedAsync(_south, southSheet);
        await ConnectAsync(_app.CreateClientFor(_north.Domain), southSheet);
        await RunQueuedSheetJobsAsync();

        (await _app.PostWebhookAsync("shop/redact", _north.Domain, $$"""{"shop_id":1,"shop_domain":"{{_north.Domain}}"}""")).StatusCode.Should().Be(HttpStatusCode.OK);
        await _app.ProcessWebhooksAsync();
        await RunQueuedSheetJobsAsync();

        FirstNames(southSheet).Should().Equal("Sam");
    }

    [Fact]
    public async Task A_redacted_customer_leaves_the_tab_of_a_paused_sync()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var id = await ConnectProvedAsync(_north, spreadsheet);
        await using (var db = _app.CreateDbContext())
            await db.SheetSyncs.Where(s => s.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Paused, true));

        (await RedactAliceAsync()).StatusCode.Should().Be(HttpStatusCode.OK);
        await _app.ProcessWebhooksAsync();
        await RunQueuedSheetJobsAsync();

        FirstNames(spreadsheet).Should().NotContain("Alice").And.Contain("Carol", "a paused sheet is not refreshed, only cleaned");
    }

    [Fact]
    public async Task A_customer_redacted_while_a_run_writes_the_tab_is_not_written()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var id = await ConnectProvedAsync(_north, spreadsheet);
        var redacted = false;
        _google.Store.BeforeRequest = async (method, path) =>
        {
            // The redaction commits while the run writes its first rows; Alice comes last.
            if (redacted || !path.EndsWith("/values:batchUpdate", StringComparison.Ordinal)) return;
            redacted = true;
            (await RedactAliceAsync()).StatusCode.Should().Be(HttpStatusCode.OK);
            await _app.ProcessWebhooksAsync();
        };

        await RunAsync(_north, id);

        redacted.Should().BeTrue();
        FirstNames(spreadsheet).Should().Equal("Carol", "Grace");
    }

    [Fact]
    public async Task A_list_that_shrank_during_a_run_leaves_no_stale_rows()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var id = await ConnectProvedAsync(_north, spreadsheet);
        FirstNames(spreadsheet).Should().Equal("Carol", "Grace", "Alice");
        var cameBack = false;
        _google.Store.BeforeRequest = async (method, path) =>
        {
            // Carol orders again after the run counted the list and before it read it.
            if (cameBack || !path.EndsWith(":batchUpdate", StringComparison.Ordinal) || path.Contains("/values", StringComparison.Ordinal)) return;
            cameBack = true;
            await using (var db = _app.CreateDbContext())
            {
                db.Orders.Add(new Web.Sync.Order { ShopId = _north.ShopId, Id = 7777, CustomerId = 3, Name = "#7777", CurrentTotal = 20m, CurrencyCode = "USD",
                    ProcessedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow() });
                await db.SaveChangesAsync();
            }
            await _north.RecomputeAsync();
        };
        _clock.Advance(TimeSpan.FromDays(1));

        await RunAsync(_north, id);

        cameBack.Should().BeTrue();
        FirstNames(spreadsheet).Should().Equal("Grace", "Alice");
    }

    [Fact]
    public async Task Removing_a_sheet_clears_the_customers_it_wrote()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var id = await ConnectProvedAsync(_north, spreadsheet);

        (await _app.CreateClientFor(_north.Domain).DeleteAsync($"/api/sheets/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await RunQueuedSheetJobsAsync();

        spreadsheet.Tabs.Single(t => t.Title == Tab).Rows().Should().BeEmpty();
    }
}
