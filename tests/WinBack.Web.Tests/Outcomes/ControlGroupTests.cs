using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using WinBack.SheetsSimulator;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Digests;
using WinBack.Web.Outcomes;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;
using WinBack.Web.Sheets;
using WinBack.Web.ShopifyTags;
using WinBack.Web.Sync;
using WinBack.Web.Tests.Sheets;

namespace WinBack.Web.Tests.Outcomes;

/// <summary>
/// The control group on a generated shop synced from the simulated Shopify, with every channel WinBack sends through:
/// the Google Sheet (simulated Google), the CSV download, a scheduled report and the digest with its CSV (a real SMTP
/// server on loopback), and Shopify tags (tagsAdd in the simulator). The report page still shows everyone.
/// </summary>
public sealed class ControlGroupTests : IAsyncLifetime
{
    private const string Domain = "held-out.myshopify.com";
    private const string ServiceAccount = "winback-sync@winback-test.iam.gserviceaccount.com";
    private const ListingChannels EveryChannel = ListingChannels.Digest | ListingChannels.Sheet | ListingChannels.Csv | ListingChannels.ScheduledReport | ListingChannels.Tags;
    private SmtpSink _smtp = null!;
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;
    private SimulatedShop _shop = null!;
    private HttpClient _client = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _google = await SheetsSimulatorHost.StartAsync();
        var settings = SheetSyncTests.SheetsSettings(_google, _google.Store.CreateServiceAccount(ServiceAccount));
        settings["Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("control-group", settings: settings);
        _shop = ShopLifecycle.CreateAndInstall(_simulator.Runtime, new ShopLifecycle.NewShop(Domain, Orders: 400, Seed: 3));
        (await WinBackApp.OpenFromAdminAsync(_simulator.BaseUrl, Domain)).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var db = _app.CreateDbContext()) _shopId = (await db.Shops.SingleAsync(s => s.Domain == Domain)).Id;
        await _app.RunJobAsync<InitialSyncJob>(job => job.RunAsync(_shopId, CancellationToken.None));
        _client = _app.CreateClientFor(Domain);
        ShopLifecycle.Grant(_shop, ["write_customers"]);
        (await _client.PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
        _smtp.Dispose();
    }

    private async Task<ControlGroupSettings> SwitchAsync(bool on)
    {
        var response = await _client.PutAsJsonAsync("/api/settings/control-group", new ControlGroupRequest(on));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ControlGroupSettings>())!;
    }

    private async Task<HashSet<long>> InactiveOnThePageAsync()
    {
        var page = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?pageSize=250"))!;
        page.TotalCount.Should().BeInRange(60, 250, "the generated shop's inactive list fits on one page and is big enough for a tenth to show");
        return [.. page.Customers.Select(c => c.Id)];
    }

    private async Task<HashSet<long>> SheetAsync(SimulatedSpreadsheet spreadsheet, SheetSync sync)
    {
        await _app.RunJobAsync<SheetSyncJob>(job => job.RunAsync(_shopId, sync.Id, CancellationToken.None));
        return [.. spreadsheet.Tabs.Single(t => t.Title == sync.TabName).Rows().Skip(1).Select(r => long.Parse(r[0]))];
    }

    private async Task<HashSet<long>> CsvDownloadAsync()
    {
        var link = (await (await _client.PostAsync("/api/reports/inactive/export", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        return IdsOf(await _app.CreateClient().GetStringAsync(link.Url));
    }

    private static HashSet<long> IdsOf(string csv) =>
        [.. csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => long.Parse(line.TrimStart('\uFEFF').Split(',')[0]))];

    private static async Task<HashSet<long>> AttachedIdsAsync(MimeMessage message)
    {
        using var content = new MemoryStream();
        await message.Attachments.OfType<MimePart>().Single().Content!.DecodeToAsync(content);
        return IdsOf(System.Text.Encoding.UTF8.GetString(content.ToArray()));
    }

    private HashSet<long> TaggedInShopify()
    {
        lock (_shop.Sync)
            return [.. _shop.Customers.Where(c => c.Tags.Any(t => t.StartsWith(CustomerTagJob.Prefix, StringComparison.Ordinal))).Select(c => c.Id)];
    }

    [Fact]
    public async Task Held_out_customers_are_left_out_of_every_channel_and_recorded_as_control_listings_while_the_page_shows_everyone()
    {
        var off = await (await _client.GetAsync("/api/settings/control-group")).Content.ReadFromJsonAsync<ControlGroupSettings>();
        off!.On.Should().BeFalse("the control group is off by default");
        var on = await SwitchAsync(true);
        on.Should().BeEquivalentTo(new { On = true, Percent = 10, HeldOutCustomers = 0 });
        on.Why.Should().Be("WinBack leaves 10 % of listed customers out of the Sheet, tags, CSV exports and scheduled exports to measure what win-back earns.");

        var inactive = await InactiveOnThePageAsync();
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);
        SheetSync sync;
        await using (var db = _app.CreateDbContext())
        {
            db.SheetSyncs.Add(sync = new SheetSync { ShopId = _shopId, SpreadsheetId = spreadsheet.Id, TabName = "Inactive customers", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow });
            var view = new SavedView { ShopId = _shopId, Name = "Everyone inactive", Query = "", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            db.SavedViews.Add(view);
            await db.SaveChangesAsync();
            var zone = TimeZoneInfo.FindSystemTimeZoneById((await db.Shops.SingleAsync(s => s.Id == _shopId)).IanaTimezone!);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
            db.ScheduledReports.Add(new ScheduledReport { ShopId = _shopId, SavedViewId = view.Id, Frequency = ReportFrequency.Weekly, Day = today.DayOfWeek, Hour = 0, Recipients = ["crm@held-out.example"], CreatedAt = DateTimeOffset.UtcNow });
            db.DigestSettings.Add(new DigestSettings { ShopId = _shopId, Enabled = true, Recipients = ["owner@held-out.example"], Day = today.DayOfWeek, Hour = 0, AttachCsv = true });
            await db.SaveChangesAsync();
            var reportId = (await db.ScheduledReports.SingleAsync(r => r.ShopId == _shopId)).Id;
            var period = DigestSchedule.PeriodOf(today);
            await _app.RunJobAsync<ScheduledReportJob>(job => job.RunAsync(_shopId, reportId, period, "test", CancellationToken.None));
            await _app.RunJobAsync<DigestJob>(job => job.RunAsync(_shopId, period, "test", CancellationToken.None));
        }

        var onTheSheet = await SheetAsync(spreadsheet, sync);
        var heldOut = inactive.Except(onTheSheet).ToHashSet();
        heldOut.Should().NotBeEmpty().And.HaveCountLessThan(inactive.Count * 3 / 10, "about one in ten is held out");
        onTheSheet.Should().BeSubsetOf(inactive);
        (await CsvDownloadAsync()).Should().BeEquivalentTo(onTheSheet, "the CSV download leaves the same customers out");
        await _app.RunJobAsync<CustomerTagJob>(job => job.RunAsync(_shopId, CancellationToken.None));
        TaggedInShopify().Intersect(inactive).Should().BeEquivalentTo(onTheSheet, "held-out customers get no tag");

        var messages = _smtp.Messages();
        messages.Should().HaveCount(2);
        var report = messages.Single(m => m.EnvelopeRecipients.Contains("crm@held-out.example")).Message;
        var digest = messages.Single(m => m.EnvelopeRecipients.Contains("owner@held-out.example")).Message;
        (await AttachedIdsAsync(report)).Should().BeEquivalentTo(onTheSheet, "the scheduled export leaves them out");
        report.Subject.Should().EndWith($": {onTheSheet.Count} customers");
        (await AttachedIdsAsync(digest)).Should().BeEquivalentTo(onTheSheet, "the digest's CSV leaves them out");
        var heldOutEmails = await HeldOutEmailsAsync(heldOut);
        foreach (var email in heldOutEmails)
        {
            digest.TextBody.Should().NotContain(email, "the digest names no held-out customer");
            report.HtmlBody.Should().NotContain(email);
        }

        await using (var db = _app.CreateDbContext())
        {
            var listings = await db.WinBackListings.AsNoTracking().Where(l => l.ShopId == _shopId && inactive.Contains(l.CustomerId)).ToListAsync();
            listings.Select(l => l.CustomerId).Should().BeEquivalentTo(inactive, "everyone listed is recorded, held out or not");
            listings.Where(l => l.Control).Select(l => l.CustomerId).Should().BeEquivalentTo(heldOut);
            listings.Should().OnlyContain(l => l.Channels == EveryChannel, "the digest (its CSV), the Sheet, the CSV download, the scheduled report and the tags each recorded the listing");
        }
        var status = (await _client.GetFromJsonAsync<ControlGroupSettings>("/api/settings/control-group"))!;
        status.HeldOutCustomers.Should().BeGreaterThanOrEqualTo(heldOut.Count, "held-out customers of the at-risk tags count too");
        (await InactiveOnThePageAsync()).Should().BeEquivalentTo(inactive, "the report page still shows everyone");
    }

    [Fact]
    public async Task The_digests_at_risk_section_names_no_held_out_customer_and_records_whom_it_named()
    {
        await SwitchAsync(true);
        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(_shopId, CancellationToken.None));
        // The recent buyers are given a falling chance of still being customers: the models' own output on so small a shop
        // puts nobody below the line.
        await using (var db = _app.CreateDbContext())
        {
            var recent = db.Customers.Where(c => c.ShopId == _shopId && c.OrdersCount > 0 && c.LastOrderAt > DateTimeOffset.UtcNow.AddDays(-21)).Select(c => c.Id);
            await db.CustomerPredictions.Where(p => p.ShopId == _shopId && recent.Contains(p.CustomerId)).ExecuteUpdateAsync(p => p.SetProperty(x => x.ProbabilityAlive, 0.2));
        }
        var atRisk = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=at-risk&sort=totalSpent&pageSize=250"))!.Customers;
        atRisk.Should().HaveCountGreaterThan(DigestContent.ListedAtRisk, "the generated shop has recent buyers slipping away");
        var group = await _app.Services.CreateScope().ServiceProvider.GetRequiredService<WinBackOutcomes>().ControlGroupAsync(_shopId, CancellationToken.None);
        var expected = atRisk.Where(c => !group.Holds(c.Id)).Take(DigestContent.ListedAtRisk).ToList();

        await using (var db = _app.CreateDbContext())
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById((await db.Shops.SingleAsync(s => s.Id == _shopId)).IanaTimezone!);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
            db.DigestSettings.Add(new DigestSettings { ShopId = _shopId, Enabled = true, Recipients = ["owner@held-out.example"], Day = today.DayOfWeek, Hour = 0 });
            await db.SaveChangesAsync();
            await _app.RunJobAsync<DigestJob>(job => job.RunAsync(_shopId, DigestSchedule.PeriodOf(today), "test", CancellationToken.None));
        }

        var digest = _smtp.Messages().Single().Message.TextBody ?? "";
        var named = atRisk.Where(c => c.Email is { } email && digest.Contains(email, StringComparison.Ordinal)).ToList();
        named.Select(c => c.Id).Should().Equal(expected.Where(c => c.Email is not null).Select(c => c.Id), "the section names the biggest spenders of the at-risk list, the control group's left out");
        await using (var db = _app.CreateDbContext())
        {
            var ids = named.Select(c => c.Id).ToList();
            var recorded = await db.WinBackListings.AsNoTracking().Where(l => l.ShopId == _shopId && ids.Contains(l.CustomerId)).ToListAsync();
            recorded.Select(l => l.CustomerId).Should().BeEquivalentTo(ids, "outcomes count everyone a digest named, the at-risk section included");
            recorded.Should().OnlyContain(l => l.Channels.HasFlag(ListingChannels.Digest) && !l.Control);
        }
    }

    [Fact]
    public async Task Membership_is_stable_across_runs_and_across_switching_the_group_off_and_on()
    {
        await SwitchAsync(true);
        var spreadsheet = _google.Store.CreateSpreadsheet("Win-back flows", ServiceAccount);
        SheetSync sync;
        await using (var db = _app.CreateDbContext())
        {
            db.SheetSyncs.Add(sync = new SheetSync { ShopId = _shopId, SpreadsheetId = spreadsheet.Id, TabName = "Inactive customers", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var inactive = await InactiveOnThePageAsync();
        var firstRun = inactive.Except(await SheetAsync(spreadsheet, sync)).ToHashSet();
        firstRun.Should().NotBeEmpty();
        inactive.Except(await SheetAsync(spreadsheet, sync)).Should().BeEquivalentTo(firstRun, "the same customers are held out on the next run");
        inactive.Except(await CsvDownloadAsync()).Should().BeEquivalentTo(firstRun, "and by every channel");

        (await SwitchAsync(false)).On.Should().BeFalse();
        (await SheetAsync(spreadsheet, sync)).Should().BeEquivalentTo(inactive, "with the group off everyone is listed");
        await SwitchAsync(true);
        inactive.Except(await SheetAsync(spreadsheet, sync)).Should().BeEquivalentTo(firstRun, "turned on again, the group holds out the same customers");
    }

    [Fact]
    public async Task A_control_group_setting_without_a_choice_is_refused_in_words()
    {
        var response = await _client.PutAsJsonAsync("/api/settings/control-group", new { });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Say whether the control group is on (true) or off (false).");
    }

    private async Task<List<string>> HeldOutEmailsAsync(HashSet<long> ids)
    {
        await using var db = _app.CreateDbContext();
        return await db.Customers.Where(c => c.ShopId == _shopId && ids.Contains(c.Id) && c.Email != null).Select(c => c.Email!).ToListAsync();
    }
}
