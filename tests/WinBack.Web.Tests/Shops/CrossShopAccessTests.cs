using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Digests;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Shops;

/// <summary>
/// Every id a request names is looked up within the session's shop: another shop's saved view, scheduled report,
/// privacy download or Sheet sync is "not found" to it, and is left as it was.
/// </summary>
public sealed class CrossShopAccessTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private ReportShop _owner = null!;
    private HttpClient _ownerClient = null!;
    private HttpClient _intruder = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("cross-shop");
        _owner = await new ReportShop(_app, "owner.myshopify.com").Customer(1, "Olga", "Owens").Order(1, new DateTime(2026, 1, 5, 10, 0, 0), 90m).SaveAsync();
        await new ReportShop(_app, "intruder.myshopify.com").Customer(1, "Ivan", "Irons").SaveAsync();
        _ownerClient = _app.CreateClientFor(_owner.Domain);
        _intruder = _app.CreateClientFor("intruder.myshopify.com");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<SavedViewDto> OwnersViewAsync()
    {
        var saved = await _ownerClient.PutAsJsonAsync("/api/views", new SaveViewRequest("Lapsed", "window=stronger"));
        saved.EnsureSuccessStatusCode();
        return (await saved.Content.ReadFromJsonAsync<SavedViewDto>())!;
    }

    [Fact]
    public async Task Another_shops_saved_view_cannot_be_deleted_or_scheduled()
    {
        var view = await OwnersViewAsync();

        (await _intruder.DeleteAsync($"/api/views/{view.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var schedule = await _intruder.PostAsJsonAsync("/api/scheduled-reports", new ScheduleReportRequest(view.Id, "Weekly", "Monday", 9, ["ivan@example.com"]));
        schedule.IsSuccessStatusCode.Should().BeFalse();
        ((int)schedule.StatusCode).Should().BeOneOf(400, 404);

        await using var db = _app.CreateDbContext();
        (await db.SavedViews.AnyAsync(v => v.Id == view.Id)).Should().BeTrue();
        (await db.ScheduledReports.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Another_shops_scheduled_report_cannot_be_deleted()
    {
        var view = await OwnersViewAsync();
        var created = await _ownerClient.PostAsJsonAsync("/api/scheduled-reports", new ScheduleReportRequest(view.Id, "Weekly", "Monday", 9, ["olga@example.com"]));
        created.EnsureSuccessStatusCode();
        var report = (await created.Content.ReadFromJsonAsync<ScheduledReportDto>())!;

        (await _intruder.DeleteAsync($"/api/scheduled-reports/{report.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = _app.CreateDbContext();
        (await db.ScheduledReports.AnyAsync(r => r.Id == report.Id)).Should().BeTrue();
    }

    [Fact]
    public async Task Another_shops_privacy_download_is_not_found()
    {
        await using (var db = _app.CreateDbContext())
        {
            db.CustomerDataRequests.Add(new CustomerDataRequest
            {
                ShopDomain = _owner.Domain, Id = 4242, CustomerId = 1, RequestedAt = DateTimeOffset.UtcNow, Export = """{"customer":{"email":"olga@example.com"}}""",
            });
            await db.SaveChangesAsync();
        }

        (await _intruder.GetAsync("/api/privacy/data-requests/4242")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _intruder.GetFromJsonAsync<List<PrivacyEndpoints.DataRequestSummary>>("/api/privacy/data-requests")).Should().BeEmpty();
        (await _ownerClient.GetAsync("/api/privacy/data-requests/4242")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_shops_sheet_sync_cannot_be_run_or_deleted()
    {
        long id;
        await using (var db = _app.CreateDbContext())
        {
            var sync = new SheetSync { ShopId = _owner.ShopId, SpreadsheetId = "owners-sheet", TabName = "Win-back", CreatedAt = DateTimeOffset.UtcNow };
            db.SheetSyncs.Add(sync);
            await db.SaveChangesAsync();
            id = sync.Id;
        }

        (await _intruder.PostAsync($"/api/sheets/{id}/run", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _intruder.DeleteAsync($"/api/sheets/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var check = _app.CreateDbContext();
        (await check.SheetSyncs.AnyAsync(s => s.Id == id)).Should().BeTrue();
    }
}
