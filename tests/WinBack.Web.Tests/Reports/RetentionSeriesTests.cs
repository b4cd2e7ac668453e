using System.Net;
using System.Net.Http.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using WinBack.Web.Digests;
using WinBack.Web.Reports;
using WinBack.Web.Settings;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// Retention health from the first order: the backfilled weekly series against a count made here, customer by customer
/// and week by week, straight from PRODUCT.md's definitions. Today is Wednesday 2026-11-25, noon in New York.
/// </summary>
public sealed class RetentionSeriesTests : IAsyncLifetime
{
    private const string Zone = "America/New_York";
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 17, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 25);
    private static readonly DateOnly ThisWeek = new(2026, 11, 23);
    private readonly FakeTimeProvider _clock = new(Now);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    /// <summary>The qualifying orders' local dates per customer, as the count below reads them.</summary>
    private readonly Dictionary<long, List<DateOnly>> _qualifying = [];

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("retention", _clock);
        var shop = new ReportShop(_app, "retention.myshopify.com", Zone);
        // Ann: two spans of orders more than four weeks apart, and a cancelled order that must not revive her.
        Add(shop.Customer(1, "Ann", "Ames"), 1, new(2026, 1, 5, 10, 0, 0), new(2026, 1, 20, 10, 0, 0), new(2026, 3, 30, 10, 0, 0), new(2026, 4, 10, 10, 0, 0));
        shop.Order(1, new DateTime(2026, 10, 1, 10, 0, 0), 40m, cancelled: true);
        // Ben orders every ten days, the last one a week ago.
        Add(shop.Customer(2, "Ben", "Best"), 2, [.. Enumerable.Range(0, 30).Select(i => new DateTime(2026, 2, 1, 9, 0, 0).AddDays(10 * i))]);
        // Cat's only order is late on a Sunday in New York, already Monday in UTC: it belongs to the week before.
        Add(shop.Customer(3, "Cat", "Cole"), 3, new DateTime(2026, 6, 7, 23, 30, 0));
        // Dee's test order in May does not make her a customer with orders before September.
        shop.Customer(4, "Dee", "Dunn").Order(4, new DateTime(2026, 5, 1, 10, 0, 0), 30m, test: true);
        Add(shop, 4, new DateTime(2026, 9, 14, 10, 0, 0));
        // Eve's orders are 45 days apart: inactive between them at four weeks, active throughout at eight.
        Add(shop.Customer(5, "Eve", "Eads"), 5, new(2026, 7, 1, 10, 0, 0), new(2026, 8, 15, 10, 0, 0));
        // Fay's first order is this week: she is in the live week only.
        Add(shop.Customer(6, "Fay", "Ford"), 6, new DateTime(2026, 11, 24, 10, 0, 0));
        // Gus only ever cancelled; a guest order has no customer.
        shop.Customer(7, "Gus", "Gray").Order(7, new DateTime(2026, 3, 1, 10, 0, 0), 25m, cancelled: true);
        shop.Order(null, new DateTime(2026, 4, 1, 10, 0, 0), 99m);
        _shop = await shop.SaveAsync();
    }

    private void Add(ReportShop shop, long customerId, params DateTime[] localTimes)
    {
        foreach (var time in localTimes)
        {
            shop.Order(customerId, time, 50m);
            (_qualifying.TryGetValue(customerId, out var days) ? days : _qualifying[customerId] = []).Add(DateOnly.FromDateTime(time));
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Each week from the first order's to today's, counted as PRODUCT.md defines it on the week's last day (today for this week).</summary>
    private List<RetentionPoint> Expected(int thresholdWeeks)
    {
        var first = _qualifying.Values.SelectMany(d => d).Min();
        var points = new List<RetentionPoint>();
        for (var week = RetentionSeries.WeekStart(first); week <= ThisWeek; week = week.AddDays(7))
        {
            var asOf = week == ThisWeek ? Today : week.AddDays(6);
            var lastOrders = _qualifying.Values.Select(days => days.Where(d => d <= asOf).DefaultIfEmpty().Max()).Where(d => d != default).ToList();
            var inactive = lastOrders.Count(last => (asOf.DayNumber - last.DayNumber) / 7 >= thresholdWeeks);
            points.Add(new RetentionPoint(week, lastOrders.Count - inactive, inactive));
        }
        return points;
    }

    private async Task<InactiveSummary> SummaryAsync() =>
        (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<InactiveSummary>("/api/reports/inactive/summary"))!;

    private Task RebuildAsync() => _app.RunJobAsync<RetentionSnapshotJob>(job => job.RebuildAsync(_shop.ShopId, CancellationToken.None));

    [Fact]
    public async Task After_the_first_sync_the_series_runs_from_the_first_order_week_to_this_week()
    {
        await RebuildAsync();

        var history = (await SummaryAsync()).RetentionHistory;

        history.Should().Equal(Expected(4));
        history[0].Should().Be(new RetentionPoint(new DateOnly(2026, 1, 5), Active: 1, Inactive: 0));
        // Ann's last order (20 January) is 26 days old on 15 February and 33 days old on 22 February.
        history.Single(p => p.WeekStart == new DateOnly(2026, 2, 9)).Should().Be(new RetentionPoint(new DateOnly(2026, 2, 9), 2, 0));
        history.Single(p => p.WeekStart == new DateOnly(2026, 2, 16)).Should().Be(new RetentionPoint(new DateOnly(2026, 2, 16), 1, 1));
        // Cat's Sunday-night order counts in the week of 1 June, not of 8 June.
        history.Single(p => p.WeekStart == new DateOnly(2026, 6, 1)).Active.Should().Be(Expected(4).Single(p => p.WeekStart == new DateOnly(2026, 6, 1)).Active);
        history[^1].Should().Be(new RetentionPoint(ThisWeek, Active: 2, Inactive: 4), "this week is today's figures: Ben and Fay active");
    }

    [Fact]
    public async Task This_week_moves_with_the_data_while_completed_weeks_stay()
    {
        await RebuildAsync();
        var before = (await SummaryAsync()).RetentionHistory;

        await using (var db = _app.CreateDbContext())
        {
            db.Orders.Add(new Order { ShopId = _shop.ShopId, Id = 99_001, CustomerId = 1, Name = "#99001", ProcessedAt = Now.AddHours(-1), UpdatedAt = Now, CurrentTotal = 60m, CurrencyCode = "USD" });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();
        var after = (await SummaryAsync()).RetentionHistory;

        after.SkipLast(1).Should().Equal(before.SkipLast(1));
        after[^1].Should().Be(new RetentionPoint(ThisWeek, Active: 3, Inactive: 3), "Ann ordered an hour ago");
    }

    [Fact]
    public async Task A_new_threshold_hides_the_old_series_and_queues_its_rebuild()
    {
        await RebuildAsync();
        var client = _app.CreateClientFor(_shop.Domain);

        (await client.PutAsJsonAsync("/api/settings", new SettingsDto(8, "percentile", 80, null))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await SummaryAsync()).RetentionHistory.Should().Equal([Expected(8)[^1]], "weeks counted with four weeks are not shown as eight");
        var queued = _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Default, 0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(RetentionSnapshotJob) && j.Value.Job.Args[0] is long id && id == _shop.ShopId).ToList();
        queued.Should().ContainSingle();

        await _app.RunJobAsync<RetentionSnapshotJob>(job => job.RunAsync(_shop.ShopId, CancellationToken.None));

        var history = (await SummaryAsync()).RetentionHistory;
        history.Should().Equal(Expected(8));
        // 9 August: Eve's order of 1 July is 39 days old, inactive at four weeks and active at eight.
        history.Single(p => p.WeekStart == new DateOnly(2026, 8, 3)).Should().NotBe(Expected(4).Single(p => p.WeekStart == new DateOnly(2026, 8, 3)));
    }

    [Fact]
    public async Task The_daily_check_builds_a_missing_series_once()
    {
        await _app.RunJobAsync<RetentionSnapshotJob>(job => job.RunAsync(_shop.ShopId, CancellationToken.None));
        await using var db = _app.CreateDbContext();
        var takenAt = await db.RetentionSnapshots.Where(s => s.ShopId == _shop.ShopId).Select(s => s.TakenAt).Distinct().ToListAsync();

        _clock.Advance(TimeSpan.FromHours(1));
        await _app.RunJobAsync<RetentionSnapshotJob>(job => job.RunAsync(_shop.ShopId, CancellationToken.None));

        (await db.RetentionSnapshots.Where(s => s.ShopId == _shop.ShopId).Select(s => s.TakenAt).Distinct().ToListAsync()).Should().Equal(takenAt);
        (await SummaryAsync()).RetentionHistory.Should().Equal(Expected(4));
    }

    [Fact]
    public async Task The_warning_compares_eight_weeks_of_growth_and_is_in_the_summary_and_the_digest()
    {
        await RebuildAsync();
        var expected = Expected(4);
        var then = expected[^9];
        var now = expected[^1];

        var trend = (await SummaryAsync()).RetentionTrend!;

        trend.Should().BeEquivalentTo(new
        {
            Weeks = 8, Since = then.WeekStart, ActiveThen = then.Active, ActiveNow = now.Active, InactiveThen = then.Inactive, InactiveNow = now.Inactive,
        });
        trend.InactiveGrowth.Should().Be(Math.Round((double)(now.Inactive - then.Inactive) / then.Inactive, 4));
        using var scope = _app.Services.CreateScope();
        var digest = await scope.ServiceProvider.GetRequiredService<DigestComposer>().ComposeAsync(_shop.ShopId, "2026-W48", CancellationToken.None);
        digest.Retention.Should().BeEquivalentTo(trend);
        var email = DigestEmail.Build(digest, new MailboxAddress("WinBack", "digest@winback.test"), ["owner@retention.example"], "<m@winback.test>", null);
        email.TextBody.Should().Contain(trend.Sentence);
    }

    [Fact]
    public void Inactive_growing_faster_than_active_is_the_warning_with_its_figures()
    {
        var since = new DateOnly(2026, 9, 28);
        List<RetentionPoint> history = [new(since, 100, 40), .. Enumerable.Range(1, 7).Select(i => new RetentionPoint(since.AddDays(7 * i), 101, 45)), new(since.AddDays(56), 103, 50)];

        var trend = RetentionTrend.Of(history)!;

        trend.Should().BeEquivalentTo(new { Weeks = 8, Since = since, ActiveGrowth = 0.03, InactiveGrowth = 0.25, Warning = true });
        trend.Sentence.Should().Be("Inactive customers grew 25 % over 8 weeks while active customers grew 3 %: more customers are lapsing than the shop keeps.");

        var healthy = RetentionTrend.Of([new(since, 100, 40), .. history[1..^1], new(since.AddDays(56), 120, 42)])!;
        healthy.Warning.Should().BeFalse();
        healthy.Sentence.Should().Be("Over 8 weeks inactive customers grew 5 % and active customers grew 20 %.");
        RetentionTrend.Of(history[2..]).Should().BeNull("seven weeks of history cannot show eight weeks of growth");
    }
}
