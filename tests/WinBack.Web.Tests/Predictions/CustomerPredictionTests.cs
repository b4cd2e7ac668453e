using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Analytics;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// Each customer's own rhythm against the fixed 4-week rule. Today is Sunday 2026-11-22 in New York. Wendy bought every
/// week until 2026-10-25 (4 weeks ago); Tom buys twice a year and last bought 6 weeks ago; Fiona buys every 5 days and
/// has been silent 18 days; Oscar bought once, in September. A dozen regulars, all recent, give the models a shop to fit.
/// </summary>
public sealed class CustomerPredictionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("predictions", _clock);
        var shop = new ReportShop(_app, "rhythm.myshopify.com")
            .Customer(1, "Wendy", "Weekly").Customer(2, "Tom", "Twice").Customer(3, "Fiona", "Fast").Customer(4, "Oscar", "Once");
        for (var day = new DateTime(2026, 8, 2, 10, 0, 0); day <= new DateTime(2026, 10, 25, 10, 0, 0); day = day.AddDays(7)) shop.Order(1, day, 30m);
        foreach (var day in new[] { new DateTime(2025, 6, 1, 10, 0, 0), new DateTime(2025, 12, 1, 10, 0, 0), new DateTime(2026, 6, 1, 10, 0, 0), new DateTime(2026, 10, 11, 10, 0, 0) })
            shop.Order(2, day, 250m);
        for (var day = new DateTime(2026, 9, 5, 10, 0, 0); day <= new DateTime(2026, 11, 4, 10, 0, 0); day = day.AddDays(5)) shop.Order(3, day, 20m);
        shop.Order(4, new DateTime(2026, 9, 1, 10, 0, 0), 60m);
        for (var id = 10; id < 22; id++)
        {
            shop.Customer(id, $"Regular{id}", "R");
            for (var k = 0; k < 2 + id % 5; k++) shop.Order(id, new DateTime(2026, 11, 20, 10, 0, 0).AddDays(-k * (3 + id % 7) - id % 4), 15m + id);
        }
        _shop = await shop.SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RefitAsync(long shopId)
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shopId, CancellationToken.None);
    }

    /// <summary>An orders/* webhook's body for a stored order, updated now: cancelled or not, at <paramref name="total"/>.</summary>
    private static string OrderWebhook(WinBack.Web.Sync.Order order, bool cancelled, string total) => System.Text.Json.JsonSerializer.Serialize(new
    {
        id = order.Id, name = order.Name, processed_at = order.ProcessedAt, created_at = order.ProcessedAt, updated_at = Now,
        cancelled_at = cancelled ? Now : (DateTimeOffset?)null, test = false,
        current_total_price_set = new { shop_money = new { amount = total, currency_code = "USD" } },
        customer = new { id = order.CustomerId, updated_at = Now },
    });

    private async Task<InactiveCustomersPage> PageAsync(string query, string? shop = null)
    {
        var response = await _app.CreateClientFor(shop ?? _shop.Domain).GetAsync($"/api/reports/inactive?pageSize=250&{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<InactiveCustomersPage>())!;
    }

    [Fact]
    public async Task Before_the_first_refit_the_report_works_and_says_when_the_numbers_come()
    {
        var status = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model");
        status!.Fit.Should().BeNull();
        status.Message.Should().Contain("after the first sync");

        var wendy = (await PageAsync("")).Customers.Single(c => c.FirstName == "Wendy");
        wendy.ProbabilityAlive.Should().BeNull();
        wendy.RfmSegment.Should().BeNull();
    }

    [Fact]
    public async Task The_refit_scores_every_customer_and_the_about_panel_shows_the_fit()
    {
        await RefitAsync(_shop.ShopId);

        var status = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model");
        var fit = status!.Fit!;
        fit.Customers.Should().Be(16);
        fit.RepeatCustomers.Should().Be(15, "everyone but Oscar bought on more than one day");
        fit.DataThrough.Should().Be(new DateOnly(2026, 11, 22));
        new[] { fit.Purchases.R, fit.Purchases.Alpha, fit.Spend.Q, fit.Spend.AverageOrderValue }
            .Should().OnlyContain(v => v != null && double.IsFinite(v.Value) && v > 0);
        // Every customer here pays one price every time: the spend model is at its limit where each customer's orders are
        // their own average (p → ∞), and says so instead of showing the numbers where its search stopped.
        (fit.Spend.P, fit.Spend.Gamma).Should().Be(((double?)null, (double?)null));
        fit.Spend.Note.Should().Contain("a repeat customer's expected order is their own average");
        // A model that gives a one-time buyer a real chance, and why it was chosen (four months of orders: no holdout check yet).
        fit.Purchases.Model.Should().BeOneOf(PurchaseModelChoice.Candidates);
        fit.Purchases.Choice.Should().Contain("too short to check");
        fit.Purchases.Parameters!.Select(p => p.Name).Should().HaveCount(4);
        fit.Purchases.ReturningIn13Weeks!.Expected.Should().BeInRange(fit.Purchases.ReturningIn13Weeks.Lower, fit.Purchases.ReturningIn13Weeks.Upper);
        fit.Purchases.ReturningIn13Weeks.Upper.Should().BeLessThanOrEqualTo(16);
        fit.Purchases.ReturningIn4Weeks!.Expected.Should().BeLessThan(fit.Purchases.ReturningIn13Weeks.Expected);
        fit.Purchases.LogLikelihood.Should().BeNegative();
        fit.Spend.AverageOrderValue.Should().BeInRange(15, 250, "orders cost from 25 to 250");

        var rows = (await PageAsync("")).Customers.ToDictionary(c => c.FirstName!);
        var (wendy, tom, oscar) = (rows["Wendy"], rows["Tom"], rows["Oscar"]);
        wendy.Overdue.Should().Be(4.0, "28 days away against a usual week");
        tom.Overdue.Should().BeApproximately(42 / 182.5, 0.05, "six weeks away against half a year");
        tom.ProbabilityAlive.Should().BeGreaterThan(wendy.ProbabilityAlive!.Value, "a weekly buyer silent for a month is likelier gone than a twice-a-year buyer silent for six weeks");
        wendy.ChurnRisk.Should().Be(PredictionTerms.RiskOf(wendy.ProbabilityAlive.Value).Key);
        (wendy.ExpectedNextOrderDate!.Value.DayNumber - wendy.LastOrderDate!.Value.DayNumber)
            .Should().BeLessThan(tom.ExpectedNextOrderDate!.Value.DayNumber - tom.LastOrderDate!.Value.DayNumber);
        // Wendy in the models' terms: 12 repeat days, 12 weeks from first to last, 16 weeks since the first, 30 a repeat order.
        await using var db = _app.CreateDbContext();
        var stored = await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId);
        var purchases = PurchaseModelChoice.Create(fit.Purchases.Model, stored.PurchaseParameters!)!;
        var spend = new OrderValueEstimate(stored.SpendShopAverage!.Value, stored.SpendShopAverageOrders!.Value);
        fit.Spend.AverageOrderValue.Should().Be(Math.Round(spend.ShopAverage, 2), "About these numbers shows the average order the values are computed from");
        var wendyAsModelled = new RepeatBuyer(12, 12, 16, 30);
        wendy.ProbabilityAlive.Should().BeApproximately(purchases.ProbabilityAlive(wendyAsModelled), 0.0005);
        wendy.PredictedValue.Should().BeApproximately((decimal)purchases.DiscountedValue(wendyAsModelled, spend.ExpectedAverageValue(wendyAsModelled)), 0.01m);
        oscar.ProbabilityAlive.Should().BeApproximately(purchases.ProbabilityAlive(new RepeatBuyer(0, 0, 11.71)), 0.002, "a one-time buyer gets a real chance too");
        oscar.ProbabilityAlive.Should().BeLessThan(1);
        oscar.Overdue.Should().BeNull();
        oscar.PredictedValue.Should().BePositive("a one-time buyer still has an expected value");
        rows.Values.Should().OnlyContain(c => c.RfmSegment != null && c.RfmScore != null && c.RfmScore.Length == 3);

        // The CSV export carries them too, for the merchant's own flows.
        var client = _app.CreateClientFor(_shop.Domain);
        var link = (await (await client.PostAsync("/api/reports/inactive/export", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        var csv = await _app.CreateClient().GetStringAsync(link.Url);
        var wendyLine = csv.Split("\r\n").Single(l => l.Contains(",Wendy,"));
        wendyLine.Should().EndWith(string.Join(',', wendy.ChurnRisk, wendy.ProbabilityAlive!.Value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
            "4.0", wendy.ExpectedNextOrderDate!.Value.ToString("yyyy-MM-dd"), wendy.PredictedValue!.Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
            PredictionTerms.RfmSegments.Single(r => r.Key == wendy.RfmSegment).Title, wendy.RfmScore, ""), "Wendy is inactive: no at-risk reason");
    }

    [Fact]
    public async Task The_refit_scores_only_customers_whose_row_counts_an_order_not_orders_without_a_customer_row()
    {
        await using (var db = _app.CreateDbContext())
        {
            // Orders of customers 7 and 99, who have no row (orders written ahead of their customer), around and after the
            // shop's own customers' ids.
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, test, current_total, currency_code)
                VALUES ({_shop.ShopId}, 9701, 7, '#9701', '2026-10-01T10:00:00Z', now(), false, 40, 'USD'),
                       ({_shop.ShopId}, 9702, 7, '#9702', '2026-11-01T10:00:00Z', now(), false, 40, 'USD'),
                       ({_shop.ShopId}, 9901, 99, '#9901', '2026-10-01T10:00:00Z', now(), false, 40, 'USD'),
                       ({_shop.ShopId}, 9902, 99, '#9902', '2026-11-01T10:00:00Z', now(), false, 40, 'USD')
                """);
        }

        await RefitAsync(_shop.ShopId);

        await using (var db = _app.CreateDbContext())
        {
            (await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId)).Customers.Should().Be(16, "orders of a customer without a row are not a customer of the shop yet");
            var scored = await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId).Select(p => p.CustomerId).ToListAsync();
            scored.Should().BeEquivalentTo(new long[] { 1, 2, 3, 4 }.Concat(Enumerable.Range(10, 12).Select(i => (long)i)));
        }
        var wendy = (await PageAsync("")).Customers.Single(c => c.FirstName == "Wendy");
        wendy.ProbabilityAlive.Should().NotBeNull("the customers around the orders without a row are scored as ever");
    }

    [Fact]
    public async Task Personal_mode_lists_customers_overdue_by_their_own_cycle_not_the_fixed_weeks()
    {
        await RefitAsync(_shop.ShopId);

        var fixedWeeks = (await PageAsync("")).Customers.Select(c => c.FirstName).ToList();
        var personal = (await PageAsync("mode=personal")).Customers.Select(c => c.FirstName).ToList();

        fixedWeeks.Should().Contain(["Wendy", "Tom", "Oscar"]).And.NotContain("Fiona");
        personal.Should().Contain(["Wendy", "Fiona", "Oscar"], "Fiona is 18 days away against her usual 5; Oscar has one order, so the fixed weeks decide")
            .And.NotContain("Tom", "six weeks is a quarter of Tom's usual half year");
        personal.Should().NotContain(n => n!.StartsWith("Regular"));
    }

    [Fact]
    public async Task The_predictions_sort_and_filter_the_list()
    {
        await RefitAsync(_shop.ShopId);

        var byAlive = (await PageAsync("sort=pAlive")).Customers;
        var known = byAlive.TakeWhile(c => c.ProbabilityAlive != null).Select(c => c.ProbabilityAlive!.Value).ToList();
        known.Should().BeInAscendingOrder().And.HaveCountGreaterThan(1);
        known.Should().HaveCount(byAlive.Count, "every customer with an order has a chance, one-time buyers too");
        (await PageAsync("sort=overdue")).Customers.First().FirstName.Should().Be("Wendy");
        var byValue = (await PageAsync("sort=predictedValue")).Customers.Select(c => c.PredictedValue!.Value).ToList();
        byValue.Should().BeInDescendingOrder();

        var wendysRisk = (await PageAsync("")).Customers.Single(c => c.FirstName == "Wendy").ChurnRisk!;
        (await PageAsync($"risk={wendysRisk}")).Customers.Should().Contain(c => c.FirstName == "Wendy").And.OnlyContain(c => c.ChurnRisk == wendysRisk);
        var wendysRfm = (await PageAsync("")).Customers.Single(c => c.FirstName == "Wendy").RfmSegment!;
        (await PageAsync($"rfm={wendysRfm}")).Customers.Should().Contain(c => c.FirstName == "Wendy").And.OnlyContain(c => c.RfmSegment == wendysRfm);
    }

    [Fact]
    public async Task Each_prediction_sort_pages_through_every_inactive_customer_once_in_its_order_newcomers_included()
    {
        // Sixty customers away 5 to 64 weeks, with one to four orders at their own rhythm: three pages of 25.
        var many = new ReportShop(_app, "many.myshopify.com");
        for (var id = 1; id <= 60; id++)
        {
            many.Customer(id, $"Many{id}", "M");
            var last = new DateTime(2026, 11, 22, 10, 0, 0).AddDays(-7 * (4 + id) - id % 3);
            for (var k = 0; k < 1 + id % 4; k++) many.Order(id, last.AddDays(-k * 7 * (1 + id % 9)), 10m + id * (1 + id % 3));
        }
        var shop = await many.SaveAsync();
        await RefitAsync(shop.ShopId);
        // Nadia's first order reaches WinBack by webhook after the refit, ten weeks back: she is inactive and sorted with the rest.
        var placed = Now.AddDays(-70);
        var nadia = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = 9001, name = "#9001", processed_at = placed, created_at = placed, updated_at = Now, cancelled_at = (DateTimeOffset?)null, test = false,
            current_total_price_set = new { shop_money = new { amount = "80.00", currency_code = "USD" } },
            customer = new { id = 300, first_name = "Nadia", last_name = "New", updated_at = Now },
        });
        (await _app.PostWebhookAsync("orders/create", shop.Domain, nadia)).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        var inactive = (await PageAsync("", shop.Domain)).Customers.Select(c => c.Id).ToList();
        inactive.Should().HaveCount(61).And.Contain(300);

        foreach (var sort in new[] { "pAlive", "overdue", "predictedValue" })
        foreach (var direction in new[] { "asc", "desc" })
        {
            var client = _app.CreateClientFor(shop.Domain);
            var rows = new List<ReportCustomer>();
            string? cursor = null;
            do
            {
                var page = (await client.GetFromJsonAsync<InactiveCustomersPage>(
                    $"/api/reports/inactive?pageSize=25&sort={sort}&direction={direction}{(cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))}"))!;
                rows.AddRange(page.Customers);
                cursor = page.NextCursor;
            } while (cursor is not null);

            rows.Select(c => c.Id).Should().BeEquivalentTo(inactive, $"sorted by {sort} {direction}, every inactive customer once");
            // Unknown values come after every known one when the merchant's sort is the default direction, before them otherwise.
            var values = sort switch
            {
                "pAlive" => rows.Select(c => c.ProbabilityAlive ?? 2).ToList(),
                "overdue" => rows.Select(c => (double)(c.OverdueSince ?? DateOnly.MaxValue).DayNumber).ToList(),
                _ => rows.Select(c => (double)(c.PredictedValue ?? -1)).ToList(),
            };
            // "Most overdue first" (descending) is the earliest day of becoming overdue.
            var ascending = (direction == "asc") != (sort == "overdue");
            if (ascending) values.Should().BeInAscendingOrder($"{sort} {direction}");
            else values.Should().BeInDescendingOrder($"{sort} {direction}");
            rows.Single(c => c.Id == 300).ProbabilityAlive.Should().NotBeNull("Nadia was scored when her order arrived");
        }

        // A range of weeks away sorted by a prediction holds the same customers as sorted by the last order.
        var range = (await PageAsync("minWeeks=10&maxWeeks=30", shop.Domain)).Customers.Select(c => c.Id).ToList();
        range.Should().NotBeEmpty().And.HaveCountLessThan(inactive.Count);
        foreach (var sort in new[] { "pAlive", "overdue", "predictedValue" })
            (await PageAsync($"minWeeks=10&maxWeeks=30&sort={sort}", shop.Domain)).Customers.Select(c => c.Id).Should().BeEquivalentTo(range, sort);

        // The personal-cycle list and its count (read from the scores alone) agree with each customer's own line.
        var everyone = (await PageAsync("", shop.Domain)).Customers;
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var expected = everyone.Where(c => c.OverdueSince is { } since ? since <= today : c.WeeksSinceLastOrder >= 4).Select(c => c.Id).ToList();
        var personal = await PageAsync("mode=personal", shop.Domain);
        personal.Customers.Select(c => c.Id).Should().BeEquivalentTo(expected);
        personal.TotalCount.Should().Be(expected.Count).And.BeGreaterThan(0);

        await RefitAsync(_shop.ShopId);
        var byOverdue = (await PageAsync("sort=overdue")).Customers;
        byOverdue[0].FirstName.Should().Be("Wendy", "a weekly buyer four weeks away has been overdue since two weeks after her last order");
        byOverdue[0].OverdueSince.Should().Be(byOverdue[0].LastOrderDate!.Value.AddDays(14));
        byOverdue.Single(c => c.FirstName == "Oscar").OverdueSince.Should().BeNull("one order gives no cycle of his own");
    }

    [Fact]
    public async Task Mixing_personal_mode_with_weeks_or_naming_an_unknown_band_is_a_400_naming_the_parameter()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        var mixed = await client.GetAsync("/api/reports/inactive?mode=personal&window=optimal");
        mixed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await mixed.Content.ReadAsStringAsync()).Should().Contain("\"mode\"").And.Contain("own cycle");
        var risk = await client.GetAsync("/api/reports/inactive?risk=extreme");
        (await risk.Content.ReadAsStringAsync()).Should().Contain("\"risk\"").And.Contain("high, medium or low");
        var rfm = await client.GetAsync("/api/reports/inactive?rfm=vip");
        (await rfm.Content.ReadAsStringAsync()).Should().Contain("\"rfm\"").And.Contain("cant-lose-them");
    }

    [Fact]
    public async Task A_shop_of_a_few_customers_is_told_there_is_not_enough_data_and_still_gets_rfm()
    {
        var small = await new ReportShop(_app, "tiny.myshopify.com")
            .Customer(1, "Ann", "A").Order(1, new DateTime(2026, 9, 1, 10, 0, 0), 40m).Order(1, new DateTime(2026, 9, 20, 10, 0, 0), 40m)
            .Customer(2, "Ben", "B").Order(2, new DateTime(2026, 8, 1, 10, 0, 0), 90m)
            .Customer(3, "Cat", "C").Order(3, new DateTime(2026, 7, 1, 10, 0, 0), 10m)
            .SaveAsync();

        await RefitAsync(small.ShopId);

        var status = await _app.CreateClientFor(small.Domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model");
        status!.Fit!.Purchases.R.Should().BeNull();
        status.Fit.Purchases.Note.Should().Contain("at least 5 customers who bought more than once");
        status.Fit.Spend.Note.Should().NotBeNullOrEmpty();
        var rows = (await PageAsync("", small.Domain)).Customers;
        rows.Should().HaveCount(3).And.OnlyContain(c => c.ProbabilityAlive == null && c.PredictedValue == null && c.RfmSegment != null);
        rows.Single(c => c.FirstName == "Ann").Overdue.Should().BeApproximately(63 / 19.0, 0.05);
    }

    [Fact]
    public async Task The_weekly_dispatcher_refits_shops_never_fitted_or_fitted_a_week_ago_and_no_uninstalled_shop()
    {
        var fresh = await new ReportShop(_app, "fresh.myshopify.com").Customer(1, "Ann", "A").Order(1, new DateTime(2026, 9, 1, 10, 0, 0), 40m).SaveAsync();
        var gone = await new ReportShop(_app, "gone.myshopify.com").Customer(1, "Ben", "B").Order(1, new DateTime(2026, 9, 1, 10, 0, 0), 40m).SaveAsync();
        await RefitAsync(fresh.ShopId);
        await using (var db = _app.CreateDbContext())
        {
            await db.Shops.Where(s => s.Id == gone.ShopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.UninstalledAt, Now));
            // The rhythm shop was fitted eight days ago.
            db.CustomerModelFits.Add(new CustomerModelFit { ShopId = _shop.ShopId, FittedAt = Now.AddDays(-8), DataThrough = new DateOnly(2026, 11, 14) });
            await db.SaveChangesAsync();
        }

        var monitoring = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        int Queued() => monitoring.EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Refits, 0, 1000).Count(j => j.Value.Job?.Type == typeof(CustomerPredictionJob));
        var before = Queued();
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionDispatcher>().RunAsync(CancellationToken.None);

        var queued = monitoring.EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Refits, 0, 1000).Where(j => j.Value.Job?.Type == typeof(CustomerPredictionJob))
            .Select(j => (long)j.Value.Job.Args[0]).ToList();
        queued.Should().HaveCount(before + 1).And.Contain(_shop.ShopId, "fitted eight days ago").And.NotContain([fresh.ShopId, gone.ShopId]);
    }

    [Fact]
    public async Task A_shop_the_weekly_dispatcher_queues_again_while_its_refit_waits_is_refitted_once()
    {
        // The rhythm shop was fitted eight days ago: due. Its refit waits in a backlog of refits, and the next day's
        // dispatcher finds it due again.
        await using (var db = _app.CreateDbContext())
        {
            db.CustomerModelFits.Add(new CustomerModelFit { ShopId = _shop.ShopId, FittedAt = Now.AddDays(-8), DataThrough = new DateOnly(2026, 11, 14) });
            await db.SaveChangesAsync();
        }
        for (var day = 0; day < 2; day++)
        {
            using var scope = _app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionDispatcher>().RunAsync(CancellationToken.None);
            _clock.Advance(TimeSpan.FromDays(1));
        }
        var monitoring = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var queued = monitoring.EnqueuedJobs(WinBack.Web.Jobs.JobQueues.Refits, 0, 1000).Select(j => j.Value.Job)
            .Where(j => j?.Type == typeof(CustomerPredictionJob) && (long)j.Args[0] == _shop.ShopId).ToList();
        queued.Should().HaveCount(2, "the first was still waiting when the dispatcher ran again");

        // The backlog clears, a minute a job: the shop is refitted by the first, and the second has nothing left to do.
        var firstRun = _clock.GetUtcNow();
        foreach (var job in queued)
        {
            await _app.PerformAsync(job!);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        await using (var db = _app.CreateDbContext())
            (await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId)).FittedAt.Should().Be(firstRun, "the shop is refitted once, by the first job");
    }

    [Fact]
    public async Task A_cancelled_or_refunded_order_changes_the_customers_scores_before_the_next_refit()
    {
        await RefitAsync(_shop.ShopId);
        var before = (await PageAsync("")).Customers.ToDictionary(c => c.FirstName!);
        before["Tom"].RfmScore.Should().EndWith("5", "Tom spent the most, 1,000");

        List<WinBack.Web.Sync.Order> wendys, toms;
        await using (var db = _app.CreateDbContext())
        {
            wendys = await db.Orders.Where(o => o.ShopId == _shop.ShopId && o.CustomerId == 1).OrderBy(o => o.ProcessedAt).ToListAsync();
            toms = await db.Orders.Where(o => o.ShopId == _shop.ShopId && o.CustomerId == 2).ToListAsync();
        }
        // Wendy's latest order (4 weeks ago) is cancelled; every one of Tom's orders is refunded down to 1.00.
        (await _app.PostWebhookAsync("orders/cancelled", _shop.Domain, OrderWebhook(wendys[^1], cancelled: true, "30.00"))).EnsureSuccessStatusCode();
        foreach (var order in toms) (await _app.PostWebhookAsync("orders/updated", _shop.Domain, OrderWebhook(order, cancelled: false, "1.00"))).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();

        var after = (await PageAsync("")).Customers.ToDictionary(c => c.FirstName!);
        var (wendy, tom) = (after["Wendy"], after["Tom"]);
        wendy.LastOrderDate.Should().Be(new DateOnly(2026, 10, 18));
        wendy.Overdue.Should().Be(5.0, "35 days away against a usual week, no longer 28");
        wendy.ProbabilityAlive.Should().BeLessThan(before["Wendy"].ProbabilityAlive!.Value, "a weekly buyer silent five weeks is likelier gone than one silent four");
        wendy.PredictedValue.Should().BeLessThan(before["Wendy"].PredictedValue!.Value);
        tom.RfmScore.Should().EndWith("1", "Tom's orders now total 4.00, the least in the shop");
        tom.RfmScore![..2].Should().Be(before["Tom"].RfmScore![..2], "his recency and number of orders did not change");
        tom.PredictedValue.Should().BeLessThan(before["Tom"].PredictedValue!.Value / 10, "his orders are now worth 1.00 each");

        // The same numbers a refit on the same parameters gives: one way of scoring, whichever path ran it.
        await using (var db = _app.CreateDbContext())
        {
            var fit = await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId);
            var purchases = PurchaseModelChoice.Create(fit.PurchaseModel, fit.PurchaseParameters)!;
            wendy.ProbabilityAlive.Should().BeApproximately(purchases.ProbabilityAlive(new RepeatBuyer(11, 11, 16, 30)), 0.0005);
        }
    }
    [Fact]
    public async Task A_shop_that_sells_at_one_price_is_told_so_and_a_rescored_customer_is_valued_at_that_price()
    {
        // The fixture's customers and days, every order $25.
        var shop = new ReportShop(_app, "one-price.myshopify.com").Customer(1, "Wendy", "Weekly").Customer(3, "Fiona", "Fast");
        for (var day = new DateTime(2026, 8, 2, 10, 0, 0); day <= new DateTime(2026, 10, 25, 10, 0, 0); day = day.AddDays(7)) shop.Order(1, day, 25m);
        for (var day = new DateTime(2026, 9, 5, 10, 0, 0); day <= new DateTime(2026, 11, 4, 10, 0, 0); day = day.AddDays(5)) shop.Order(3, day, 25m);
        for (var id = 10; id < 22; id++)
        {
            shop.Customer(id, $"Regular{id}", "R");
            for (var k = 0; k < 2 + id % 5; k++) shop.Order(id, new DateTime(2026, 11, 20, 10, 0, 0).AddDays(-k * (3 + id % 7) - id % 4), 25m);
        }
        var saved = await shop.SaveAsync();
        await RefitAsync(saved.ShopId);

        var status = await _app.CreateClientFor(saved.Domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model");
        var spend = status!.Fit!.Spend;
        (spend.P, spend.Q, spend.Gamma).Should().Be(((double?)null, (double?)null, (double?)null), "no spend parameter is estimated where every order is alike");
        spend.AverageOrderValue.Should().Be(25);
        spend.Note.Should().Contain("Every customer who ordered again spent the same on average, 25.00");

        // Wendy's last order is cancelled: she is rescored from the stored fit, whose average counts as infinitely many of
        // her own orders (stored as such), still at $25 an order.
        WinBack.Web.Sync.Order last;
        await using (var db = _app.CreateDbContext())
        {
            last = await db.Orders.Where(o => o.ShopId == saved.ShopId && o.CustomerId == 1).OrderByDescending(o => o.ProcessedAt).FirstAsync();
            (await db.CustomerModelFits.SingleAsync(f => f.ShopId == saved.ShopId)).SpendShopAverageOrders.Should().Be(double.PositiveInfinity);
        }
        (await _app.PostWebhookAsync("orders/cancelled", saved.Domain, OrderWebhook(last, cancelled: true, "25.00"))).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();

        var wendy = (await PageAsync("", saved.Domain)).Customers.Single(c => c.FirstName == "Wendy");
        wendy.LastOrderDate.Should().Be(new DateOnly(2026, 10, 18));
        await using (var db = _app.CreateDbContext())
        {
            var fit = await db.CustomerModelFits.SingleAsync(f => f.ShopId == saved.ShopId);
            var purchases = PurchaseModelChoice.Create(fit.PurchaseModel, fit.PurchaseParameters)!;
            // 11 repeat days, 11 weeks from first to last, 16 weeks since the first.
            wendy.PredictedValue.Should().BeApproximately((decimal)purchases.DiscountedValue(new RepeatBuyer(11, 11, 16, 25), 25), 0.01m);
        }
    }

    [Fact]
    public async Task A_change_that_lands_while_a_refit_computes_is_not_overwritten_by_the_refits_older_numbers()
    {
        await RefitAsync(_shop.ShopId);
        List<WinBack.Web.Sync.Order> wendys, oscars;
        await using (var db = _app.CreateDbContext())
        {
            wendys = await db.Orders.Where(o => o.ShopId == _shop.ShopId && o.CustomerId == 1).OrderBy(o => o.ProcessedAt).ToListAsync();
            oscars = await db.Orders.Where(o => o.ShopId == _shop.ShopId && o.CustomerId == 4).ToListAsync();
        }
        string Cancelled(WinBack.Web.Sync.Order order) => OrderWebhook(order, cancelled: true, "0.00");

        using var scope = _app.Services.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>();
        var refit = await job.ComputeAsync(_shop.ShopId, CancellationToken.None);
        // Meanwhile Wendy's latest order and Oscar's only one are cancelled, and the webhooks rescore them at once.
        (await _app.PostWebhookAsync("orders/cancelled", _shop.Domain, Cancelled(wendys[^1]))).EnsureSuccessStatusCode();
        (await _app.PostWebhookAsync("orders/cancelled", _shop.Domain, Cancelled(oscars.Single()))).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        await job.WriteAsync(refit, CancellationToken.None);

        var wendy = (await PageAsync("")).Customers.Single(c => c.FirstName == "Wendy");
        wendy.LastOrderDate.Should().Be(new DateOnly(2026, 10, 18), "her cancelled order no longer counts");
        await using (var db = _app.CreateDbContext())
        {
            var fit = await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId);
            var purchases = PurchaseModelChoice.Create(fit.PurchaseModel, fit.PurchaseParameters)!;
            wendy.ProbabilityAlive.Should().BeApproximately(purchases.ProbabilityAlive(new RepeatBuyer(11, 11, 16, 30)), 0.0005,
                "her chance is the new fit's for the orders she has now, not for the twelve the refit read");
            var scored = await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId && (p.CustomerId == 1 || p.CustomerId == 4))
                .ToDictionaryAsync(p => p.CustomerId, p => p.ScoredLastOrderAt);
            var wendysLastOrder = await db.Customers.Where(c => c.ShopId == _shop.ShopId && c.Id == 1).Select(c => c.LastOrderAt).SingleAsync();
            wendysLastOrder.Should().NotBeNull();
            TimeZoneInfo.ConvertTime(wendysLastOrder!.Value, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).Date.Should().Be(new DateTime(2026, 10, 18));
            scored.Should().Equal(new Dictionary<long, DateTimeOffset> { [1] = wendysLastOrder.Value }, "Oscar has no qualifying order left, so no scores");
        }
    }

    [Fact]
    public async Task A_customer_deleted_while_a_refit_computes_keeps_no_scores_and_everyone_else_keeps_theirs()
    {
        await RefitAsync(_shop.ShopId);
        using var scope = _app.Services.CreateScope();
        var job = scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>();
        var refit = await job.ComputeAsync(_shop.ShopId, CancellationToken.None);
        // Meanwhile Tom is deleted in Shopify: his row goes, his orders stay without a customer.
        (await _app.PostWebhookAsync("customers/delete", _shop.Domain, """{"id":2}""")).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        await job.WriteAsync(refit, CancellationToken.None);

        await using var db = _app.CreateDbContext();
        var scored = await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId).Select(p => p.CustomerId).ToListAsync();
        var withOrders = await db.Customers.Where(c => c.ShopId == _shop.ShopId && c.OrdersCount > 0).Select(c => c.Id).ToListAsync();
        scored.Should().NotContain(2, "Tom's data left with him").And.BeEquivalentTo(withOrders, "every other customer with an order is scored");
    }
}
