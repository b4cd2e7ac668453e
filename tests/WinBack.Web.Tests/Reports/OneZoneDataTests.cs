using System.Net.Http.Headers;
using System.Net.Http.Json;
using FluentAssertions.Execution;
using WinBack.ShopifySimulator.OAuth;
using WinBack.Web.Reports;
using WinBack.Web.Settings;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// An order's local day has one home, the app's time-zone data, which the list's week filters and the refit already go
/// by. A database whose zone data say otherwise (the app and PostgreSQL upgraded apart, across a change of a zone's rules)
/// must not move a shown date, a week of the summary's histogram or a gap of the threshold suggestion off the app's day.
/// Here the app runs as its own process with zone data (TZDIR) in which New York keeps Tokyo's time; PostgreSQL keeps the
/// real New York, 13 or 14 hours behind: an order at 01:00 on the app's day is on the day before in the database's.
/// </summary>
public sealed class OneZoneDataTests : IAsyncLifetime
{
    private const string Domain = "zones.myshopify.com";
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private readonly string _zoneData = Directory.CreateTempSubdirectory("winback-zones").FullName;
    private WinBackApp _seeding = null!;
    private AppServerProcess _app = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_zoneData, "America"));
        File.Copy("/usr/share/zoneinfo/Asia/Tokyo", Path.Combine(_zoneData, "America", "New_York"));
        _seeding = await WinBackApp.StartAsync("zone_data");
        var port = PostgresServer.FreePort();
        var settings = AppServerProcess.Settings(_seeding.ConnectionString, new Uri($"http://127.0.0.1:{port}/"));
        settings["Jobs__RunServer"] = "false";
        settings["TZDIR"] = _zoneData;
        _app = await AppServerProcess.StartAsync(settings, port);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _seeding.DisposeAsync();
        Directory.Delete(_zoneData, recursive: true);
    }

    [Fact]
    public async Task Dates_weeks_and_gaps_are_the_apps_days_whatever_the_databases_zone_data_say()
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo).DateTime);
        // Ann last ordered 27 days ago by the app's days (3 weeks), 28 by the database's (4 weeks); Ben ordered twice, 10 days
        // apart by the app's days, 11 by the database's.
        await new ReportShop(_seeding, Domain)
            .Customer(1, "Ann", "Ames").Order(1, InNewYork(today.AddDays(-27), 1), 40m)
            .Customer(2, "Ben", "Bell").Order(2, InNewYork(today.AddDays(-100), 1), 30m).Order(2, InNewYork(today.AddDays(-90), 23), 30m)
            .SaveAsync();
        using var http = new HttpClient { BaseAddress = _app.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            SessionTokens.Mint(Domain, WinBackApp.ApiKey, WinBackApp.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var page = (await http.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=all"))!;
        var summary = (await http.GetFromJsonAsync<InactiveSummary>("/api/reports/inactive/summary"))!;
        var suggestion = (await http.GetFromJsonAsync<SettingsPage>("/api/settings"))!.Suggestion;
        if (DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Tokyo).DateTime) != today) return; // the app's day turned meanwhile

        using var _ = new AssertionScope();
        var ann = page.Customers.Single(c => c.Id == 1);
        ann.LastOrderDate.Should().Be(today.AddDays(-27), "the shown date is the app's day, the one the weeks away count from");
        ann.WeeksSinceLastOrder.Should().Be(3);
        summary.WeeksSinceLastOrder.Single(b => b.Weeks == 3).Customers.Should().Be(1, "Ann is 3 weeks away by the app's days");
        summary.WeeksSinceLastOrder.Single(b => b.Weeks == 4).Customers.Should().Be(0);
        suggestion.GapDays.Should().Be(10, "Ben's orders are 10 of the app's days apart");
    }

    /// <summary>The hour <paramref name="hour"/> of a day by the app's zone data (Tokyo's time), as a wall-clock time in the real New York.</summary>
    private static DateTime InNewYork(DateOnly appDay, int hour) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(appDay.ToDateTime(new TimeOnly(hour, 0)), Tokyo.GetUtcOffset(appDay.ToDateTime(TimeOnly.MinValue))), NewYork).DateTime;
}
