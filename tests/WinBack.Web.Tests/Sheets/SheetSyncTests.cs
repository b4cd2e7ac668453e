using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.SheetsSimulator;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Sheets;

/// <summary>The Sheet sync against the simulated Google: a full rewrite, a shrinking list, limits and failures.</summary>
public sealed class SheetSyncTests : IAsyncLifetime
{
    internal const string ServiceAccount = "winback-sync@winback-test.iam.gserviceaccount.com";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero));
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _google = await SheetsSimulatorHost.StartAsync();
        _app = await WinBackApp.StartAsync("sheet-sync", _clock, settings: SheetsSettings(_google, _google.Store.CreateServiceAccount(ServiceAccount)));
        _shop = await new ReportShop(_app, "north.myshopify.com")
            .Customer(1, "Alice", "Archer", marketing: "SUBSCRIBED").Order(1, new DateTime(2026, 10, 25, 23, 30, 0), 50m)
            .Customer(2, "Bob", "Baker").Order(2, new DateTime(2026, 10, 26, 0, 30, 0), 80m)
            .Customer(3, "Carol", "Cooper").Order(3, new DateTime(2026, 8, 1, 12, 0, 0), 100m)
            .Customer(4, "=HYPERLINK(\"http://evil\")", "Dyer").Order(4, new DateTime(2026, 9, 1, 9, 0, 0), 120m)
            .Customer(7, "Grace", "Green").Order(7, new DateTime(2026, 9, 1, 9, 0, 0), 2000m).Order(7, new DateTime(2026, 10, 1, 9, 0, 0), 3000m)
            .SaveAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
    }

    internal static Dictionary<string, string> SheetsSettings(RunningSheetsSimulator google, string key) => new()
    {
        ["Sheets:BaseUrl"] = google.BaseUrl.ToString(),
        ["Sheets:TokenUrl"] = google.TokenUrl.ToString(),
        ["Sheets:ServiceAccountEmail"] = ServiceAccount,
        ["Sheets:ServiceAccountPrivateKey"] = key,
    };

    private async Task<SheetSync> ConnectAsync(string spreadsheetId, string tab = "Inactive customers")
    {
        await using var db = _app.CreateDbContext();
        var sync = new SheetSync { ShopId = _shop.ShopId, SpreadsheetId = spreadsheetId, TabName = tab, CreatedAt = _clock.GetUtcNow(), VerifiedAt = _clock.GetUtcNow() };
        db.SheetSyncs.Add(sync);
        await db.SaveChangesAsync();
        return sync;
    }

    private async Task<SheetSync> RunAsync(SheetSync sync)
    {
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SheetSyncJob>().RunAsync(sync.ShopId, sync.Id, CancellationToken.None);
        await using var db = _app.CreateDbContext();
        return await db.SheetSyncs.AsNoTracking().SingleAsync(s => s.ShopId == sync.ShopId && s.Id == sync.Id);
    }

    [Fact]
    public async Task A_run_writes_the_header_and_one_row_per_inactive_customer_as_text()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);

        var sync = await RunAsync(await ConnectAsync(spreadsheet.Id));

        sync.LastError.Should().BeNull();
        sync.RowsWritten.Should().Be(4);
        var tab = spreadsheet.Tabs.Single(t => t.Title == "Inactive customers");
        (tab.RowCount, tab.ColumnCount).Should().Be((5, SheetSyncJob.Header.Length), "the grid is sized to the list");
        SheetSyncJob.Header.Should().HaveCount(21);
        var rows = tab.Rows();
        rows[0].Should().Equal(SheetSyncJob.Header);
        rows.Skip(1).Select(r => r[1]).Should().Equal("Carol", "=HYPERLINK(\"http://evil\")", "Grace", "Alice");
        rows[4].Should().Equal("1", "Alice", "Archer", "alice1@example.com", "subscribed", "2026-10-25", "4", "1", "50.00",
            "Low value, recently inactive", "3", "An automated win-back sequence with a moderate offer.",
            // Predictions, then "Why at risk" (empty: Alice is inactive), then "Listed since".
            "", "", "", "", "", "", "", "", "2026-11-22");
        tab.Formulas.Should().BeEmpty("a name that starts with = is written RAW and stays text");
    }

    [Fact]
    public async Task Customers_who_come_back_disappear_and_the_others_keep_their_listed_since_date()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);
        var sync = await ConnectAsync(spreadsheet.Id);
        await RunAsync(sync);

        await using (var db = _app.CreateDbContext())
        {
            db.Orders.Add(new Web.Sync.Order { ShopId = _shop.ShopId, Id = 7777, CustomerId = 3, Name = "#7777", CurrentTotal = 20m, CurrencyCode = "USD",
                ProcessedAt = _clock.GetUtcNow().AddHours(6), UpdatedAt = _clock.GetUtcNow().AddHours(6) });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();
        _clock.Advance(TimeSpan.FromDays(1));
        await RunAsync(sync);

        var tab = spreadsheet.Tabs.Single(t => t.Title == "Inactive customers");
        var rows = tab.Rows();
        rows.Skip(1).Select(r => r[1]).Should().Equal(["=HYPERLINK(\"http://evil\")", "Grace", "Alice", "Bob"], "Carol ordered again; Bob crossed four weeks on Monday");
        rows.Skip(1).Select(r => (r[1], r[^1])).Should().Contain([("Grace", "2026-11-22"), ("Bob", "2026-11-23")]);
        tab.RowCount.Should().Be(5);

        // For the win-back outcomes: Carol was listed on the sheet and came back within 30 days.
        _clock.Advance(TimeSpan.FromDays(31));
        var outcomes = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<Web.Outcomes.OutcomeReport>("/api/reports/outcomes");
        outcomes!.All.Listed.Should().Be(5, "Carol, the =HYPERLINK name, Grace, Alice, then Bob");
        outcomes.All.Windows[0].Should().Be(new Web.Outcomes.OutcomeWindow(30, 5, 1, 20m));
    }

    [Fact]
    public async Task A_sheet_not_shared_with_the_service_account_fails_in_words_and_pauses_after_five_runs()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Private");
        var sync = await ConnectAsync(spreadsheet.Id);

        var first = await RunAsync(sync);
        first.LastError.Should().Be($"WinBack cannot edit this spreadsheet. Share it with {ServiceAccount} as an editor.");
        for (var i = 0; i < 4; i++) await RunAsync(sync);
        var paused = await RunAsync(sync);

        paused.Paused.Should().BeTrue();
        paused.ConsecutiveFailures.Should().Be(5, "a paused sync does not run again");
        paused.LastError.Should().StartWith("Paused after 5 failed runs in a row.");
    }

    [Fact]
    public async Task Connecting_checks_the_sheet_with_google_and_waits_for_the_merchant_to_prove_it_with_a_code()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        var unshared = _google.Store.CreateSpreadsheet("Private");
        var shared = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);

        var refused = await client.PostAsJsonAsync("/api/sheets", new ConnectSheetRequest($"https://docs.google.com/spreadsheets/d/{unshared.Id}/edit#gid=0", "Inactive", null, "daily"));
        refused.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain($"Share it with {ServiceAccount} as an editor.");

        var connected = await client.PostAsJsonAsync("/api/sheets", new ConnectSheetRequest($"https://docs.google.com/spreadsheets/d/{shared.Id}/edit", "Inactive", null, "hourly"));
        connected.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await connected.Content.ReadAsStringAsync());
        var page = (await client.GetFromJsonAsync<SheetsPage>("/api/sheets"))!;
        page.ServiceAccountEmail.Should().Be(ServiceAccount);
        (page.VerificationTab, page.VerificationCell).Should().Be(("WinBack verification", "A1"));
        var pending = page.Syncs.Should().ContainSingle().Which;
        pending.Should().Match<SheetSyncDto>(s => s.SpreadsheetId == shared.Id && s.Tab == "Inactive" && s.Frequency == "Hourly" && !s.Verified && s.NextRunAt == null);
        pending.VerificationCode.Should().MatchRegex("^WINBACK-[2-9A-HJ-NP-Z]{10}$");
        pending.VerificationCodeExpiresAt.Should().Be(_clock.GetUtcNow().AddDays(7));

        _clock.Advance(TimeSpan.FromDays(8));
        client = _app.CreateClientFor(_shop.Domain);
        _google.Store.TypeAsOwner(shared, "WinBack verification", "A1", pending.VerificationCode!);
        (await client.PostAsync($"/api/sheets/{pending.Id}/verify", null)).StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest, "the code expired");
        var renewed = (await (await client.PostAsync($"/api/sheets/{pending.Id}/code", null)).Content.ReadFromJsonAsync<SheetSyncDto>())!;
        renewed.VerificationCode.Should().NotBe(pending.VerificationCode);
        _google.Store.TypeAsOwner(shared, "WinBack verification", "A1", $" {renewed.VerificationCode!.ToLowerInvariant()} ");
        var verified = await client.PostAsync($"/api/sheets/{pending.Id}/verify", null);
        verified.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, await verified.Content.ReadAsStringAsync());
        page = (await client.GetFromJsonAsync<SheetsPage>("/api/sheets"))!;
        page.Syncs[0].Should().Match<SheetSyncDto>(s => s.Verified && s.VerificationCode == null);
        page.Syncs[0].NextRunAt.Should().Be(_clock.GetUtcNow(), "an hourly sheet that never ran is due now");

        var secondTab = await client.PostAsJsonAsync("/api/sheets", new ConnectSheetRequest(shared.Id, "Lapsed VIPs", null, "daily"));
        (await secondTab.Content.ReadFromJsonAsync<SheetSyncDto>())!.Verified.Should().BeTrue("this store already proved the spreadsheet is its own");
    }

    [Fact]
    public async Task A_customer_redaction_queues_a_run_that_removes_the_row()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);
        var sync = await ConnectAsync(spreadsheet.Id);
        await RunAsync(sync);
        var storage = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var queuedBefore = storage.EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Sheets, 0, 1000).Count(j => j.Value.Job?.Type == typeof(SheetSyncJob));

        var redact = $$"""{"shop_id":1,"shop_domain":"{{_shop.Domain}}","customer":{"id":1,"email":"alice1@example.com"},"orders_to_redact":[]}""";
        (await _app.PostWebhookAsync("customers/redact", _shop.Domain, redact)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        await _app.ProcessWebhooksAsync();

        storage.EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Sheets, 0, 1000).Count(j => j.Value.Job?.Type == typeof(SheetSyncJob)).Should().Be(queuedBefore + 1, "the redaction queues the sheet's run");
        await RunAsync(sync);
        spreadsheet.Tabs.Single(t => t.Title == "Inactive customers").Rows().Should().NotContain(r => r.Contains("alice1@example.com"));
    }

    [Fact]
    public async Task A_run_that_meets_an_erasure_under_way_comes_back_later_instead_of_holding_its_worker()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);
        var sync = await ConnectAsync(spreadsheet.Id);
        // An erasure of the shop's customers is under way: its transaction has bumped the sync's counter (SheetRedactions)
        // and has not committed (a retention period's first night can take minutes).
        using var erasing = _app.Services.CreateScope();
        var erasureDb = erasing.ServiceProvider.GetRequiredService<WinBack.Web.Data.WinBackDbContext>();
        await using var erasure = await erasureDb.Database.BeginTransactionAsync();
        await SheetRedactions.QueueRewritesAsync(erasureDb, erasing.ServiceProvider.GetRequiredService<Hangfire.IBackgroundJobClient>(), _shop.ShopId, CancellationToken.None);

        var run = RunAsync(sync);
        (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) == run).Should().BeTrue("the run gives its Sheets worker back instead of waiting for the erasure");
        spreadsheet.Tabs.Should().NotContain(t => t.Title == "Inactive customers", "nothing is written while the erasure is under way");
        var comeBack = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().ScheduledJobs(0, 1000)
            .Select(j => j.Value.Job).Where(j => j?.Type == typeof(SheetSyncJob) && (long)j.Args[1] == sync.Id).ToList();
        comeBack.Should().ContainSingle("the run comes back later");

        await erasure.CommitAsync();
        await _app.PerformAsync(comeBack[0]!);
        spreadsheet.Tabs.Single(t => t.Title == "Inactive customers").Rows().Should().Contain(r => r.Contains("grace7@example.com"));
        await using var check = _app.CreateDbContext();
        var done = await check.SheetSyncs.SingleAsync(s => s.Id == sync.Id);
        done.RedactionsApplied.Should().Be(done.RedactionsRequested, "the run after the erasure has caught up with it");
    }

    [Fact]
    public async Task Daily_syncs_run_once_a_local_day_from_six_and_hourly_ones_every_hour()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var daily = await ConnectAsync(spreadsheet.Id, "Daily");
        var hourly = await ConnectAsync(spreadsheet.Id, "Hourly");
        await using (var db = _app.CreateDbContext())
            await db.SheetSyncs.Where(s => s.Id == hourly.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Frequency, SheetSyncFrequency.Hourly));
        async Task<long[]> DueAsync()
        {
            using var scope = _app.Services.CreateScope();
            return (await scope.ServiceProvider.GetRequiredService<SheetSyncDispatcher>().DueAsync(CancellationToken.None)).Select(d => d.SyncId).Order().ToArray();
        }

        (await DueAsync()).Should().Equal(daily.Id, hourly.Id);
        await RunAsync(daily);
        await RunAsync(hourly);
        (await DueAsync()).Should().BeEmpty();
        _clock.Advance(TimeSpan.FromHours(1));
        (await DueAsync()).Should().Equal(hourly.Id);
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 10, 30, 0, TimeSpan.Zero));
        (await DueAsync()).Should().Equal([hourly.Id], "05:30 in New York: the daily run waits for 06:00");
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 11, 0, 0, TimeSpan.Zero));
        (await DueAsync()).Should().Equal(daily.Id, hourly.Id);
    }

    [Fact]
    public async Task A_sync_the_dispatcher_queues_again_while_its_run_waits_is_written_once()
    {
        // An hourly sync, due. Google's quota is short for every shop, so its run waits, and the dispatcher finds it due
        // again a quarter hour later.
        var spreadsheet = _google.Store.CreateSpreadsheet("Flows", ServiceAccount);
        var sync = await ConnectAsync(spreadsheet.Id);
        await using (var db = _app.CreateDbContext())
            await db.SheetSyncs.Where(s => s.Id == sync.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Frequency, SheetSyncFrequency.Hourly));
        for (var dispatch = 0; dispatch < 2; dispatch++)
        {
            using var scope = _app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<SheetSyncDispatcher>().RunAsync(CancellationToken.None);
            _clock.Advance(TimeSpan.FromMinutes(15));
        }
        var queued = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Sheets, 0, 1000)
            .Select(j => j.Value.Job).Where(j => j?.Type == typeof(SheetSyncJob) && (long)j.Args[1] == sync.Id).ToList();
        queued.Should().HaveCount(2, "the first had not run when the dispatcher looked again");

        // The quota frees up and both run, a minute apart: the tab is written by the first; the second finds it done.
        var firstRun = _clock.GetUtcNow();
        foreach (var job in queued)
        {
            await _app.PerformAsync(job!);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        await using var check = _app.CreateDbContext();
        (await check.SheetSyncs.SingleAsync(s => s.Id == sync.Id)).LastRunAt.Should().Be(firstRun, "the tab is written once, by the first run");
    }

    [Fact]
    public async Task The_cell_limit_is_checked_before_anything_is_written()
    {
        var spreadsheet = _google.Store.CreateSpreadsheet("Full", ServiceAccount);
        spreadsheet.Tabs[0].RowCount = 1_000_000;
        spreadsheet.Tabs[0].ColumnCount = 10;

        var sync = await RunAsync(await ConnectAsync(spreadsheet.Id));

        sync.LastError.Should().Contain("a spreadsheet holds at most 10,000,000");
        spreadsheet.Tabs.Should().ContainSingle("no tab was added");
    }
}

/// <summary>The shared write quota on a real clock: two syncs, a quota of three writes per two seconds, no 429 at all.</summary>
public sealed class SheetQuotaTests : IAsyncLifetime
{
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        _google = await SheetsSimulatorHost.StartAsync(o => (o.WriteRequestsPerWindow, o.QuotaWindow) = (3, TimeSpan.FromSeconds(2)));
        var settings = SheetSyncTests.SheetsSettings(_google, _google.Store.CreateServiceAccount("winback-sync@winback-test.iam.gserviceaccount.com"));
        settings["Sheets:WritesPerWindow"] = "3";
        settings["Sheets:WriteWindow"] = "00:00:02";
        settings["Sheets:RowsPerWrite"] = "2";
        _app = await WinBackApp.StartAsync("sheet-quota", settings: settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
    }

    [Fact]
    public async Task Every_worker_waits_for_the_shared_quota_instead_of_hitting_429()
    {
        var today = DateTime.UtcNow.Date;
        var shop = await new ReportShop(_app, "busy.myshopify.com", "UTC")
            .Customer(1, "Ann", "A").Order(1, today.AddDays(-60), 10m)
            .Customer(2, "Ben", "B").Order(2, today.AddDays(-61), 10m)
            .Customer(3, "Cy", "C").Order(3, today.AddDays(-62), 10m)
            .SaveAsync();
        var spreadsheet = _google.Store.CreateSpreadsheet("Busy", "winback-sync@winback-test.iam.gserviceaccount.com");
        var syncs = new List<SheetSync>();
        await using (var db = _app.CreateDbContext())
        {
            foreach (var tab in new[] { "One", "Two" }) db.SheetSyncs.Add(new SheetSync { ShopId = shop.ShopId, SpreadsheetId = spreadsheet.Id, TabName = tab, VerifiedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            syncs.AddRange(await db.SheetSyncs.AsNoTracking().ToListAsync());
        }

        // Two workers at once, each needing three writes (grid, then header and rows two at a time).
        await Task.WhenAll(syncs.Select(s => Task.Run(async () =>
        {
            using var scope = _app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<SheetSyncJob>().RunAsync(s.ShopId, s.Id, CancellationToken.None);
        })));

        _google.Store.QuotaRejections.Should().Be(0);
        spreadsheet.Tabs.Where(t => t.Title is "One" or "Two").Should().HaveCount(2).And.OnlyContain(t => t.Rows().Count == 4);
    }
}
