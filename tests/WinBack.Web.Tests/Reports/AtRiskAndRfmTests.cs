using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Analytics;
using WinBack.Web.Digests;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// "Before they lapse" and the RFM overview on a hand-built shop. Today is Sunday 2026-11-22 in New York, threshold 4 weeks.
/// Fiona buys every 5 days and has been silent 18 days: still active, overdue by her own cycle. Wendy (weekly, 4 weeks
/// away), Tom (twice a year, 6 weeks) and Oscar (once, in September) are past the threshold. Twelve regulars bought this month.
/// </summary>
public sealed class AtRiskAndRfmTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 22);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly Dictionary<long, List<(DateOnly Day, decimal Total)>> _orders = [];
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("atrisk", _time);
        var shop = new ReportShop(_app, "slipping.myshopify.com")
            .Customer(1, "Wendy", "Weekly").Customer(2, "Tom", "Twice").Customer(3, "Fiona", "Fast").Customer(4, "Oscar", "Once");
        void Order(long id, DateTime day, decimal total)
        {
            shop.Order(id, day, total);
            (_orders.TryGetValue(id, out var list) ? list : _orders[id] = []).Add((DateOnly.FromDateTime(day), total));
        }
        for (var day = new DateTime(2026, 8, 2, 10, 0, 0); day <= new DateTime(2026, 10, 25, 10, 0, 0); day = day.AddDays(7)) Order(1, day, 30m);
        foreach (var day in new[] { new DateTime(2025, 6, 1, 10, 0, 0), new DateTime(2025, 12, 1, 10, 0, 0), new DateTime(2026, 6, 1, 10, 0, 0), new DateTime(2026, 10, 11, 10, 0, 0) })
            Order(2, day, 250m);
        for (var day = new DateTime(2026, 9, 5, 10, 0, 0); day <= new DateTime(2026, 11, 4, 10, 0, 0); day = day.AddDays(5)) Order(3, day, 20m);
        Order(4, new DateTime(2026, 9, 1, 10, 0, 0), 60m);
        for (var id = 10; id < 22; id++)
        {
            shop.Customer(id, $"Regular{id}", "R");
            for (var k = 0; k < 2 + id % 5; k++) Order(id, new DateTime(2026, 11, 20, 10, 0, 0).AddDays(-k * (3 + id % 7) - id % 4), 15m + id);
        }
        _shop = await shop.SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RefitAsync()
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(_shop.ShopId, CancellationToken.None);
    }

    private async Task<InactiveCustomersPage> PageAsync(string query)
    {
        var response = await _app.CreateClientFor(_shop.Domain).GetAsync($"/api/reports/inactive?pageSize=250&{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<InactiveCustomersPage>())!;
    }

    /// <summary>The customer's own cycle, computed here from the seeded orders: twice the median gap, two weeks at least.</summary>
    private DateOnly? OverdueOn(long id)
    {
        var days = _orders[id].Select(o => o.Day).Distinct().Order().ToList();
        if (days.Count < 2) return null;
        var gaps = days.Zip(days.Skip(1), (a, b) => b.DayNumber - a.DayNumber).Order().ToList();
        var median = gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[gaps.Count / 2 - 1] + gaps[gaps.Count / 2]) / 2.0;
        return days[^1].AddDays((int)Math.Ceiling(Math.Max(2 * median, 14)));
    }

    [Fact]
    public async Task The_at_risk_list_holds_recent_buyers_overdue_by_their_cycle_or_below_the_alive_line_each_with_the_reason()
    {
        await RefitAsync();
        await using var db = _app.CreateDbContext();
        var fit = await db.CustomerModelFits.SingleAsync(f => f.ShopId == _shop.ShopId);
        var purchases = PurchaseModelChoice.Create(fit.PurchaseModel!, fit.PurchaseParameters!)!;
        var everyone = (await PageAsync("list=all")).Customers.ToDictionary(c => c.Id);
        everyone.Should().HaveCount(16, "the list of all holds every customer with an order");

        // Expected from the orders: ordered within 4 weeks, and overdue by their own cycle, or P(alive) < 0.5 by the fitted
        // model on their history in its terms (repeat days, weeks from first to last order, weeks since the first), or in a slipping RFM group.
        var expected = new Dictionary<long, (bool Overdue, bool Unlikely, bool Rfm)>();
        foreach (var (id, orders) in _orders)
        {
            var days = orders.Select(o => o.Day).Distinct().Order().ToList();
            if (Today.DayNumber - days[^1].DayNumber >= 28) continue;
            var buyer = new RepeatBuyer(days.Count - 1, (days[^1].DayNumber - days[0].DayNumber) / 7.0, (Today.DayNumber - days[0].DayNumber) / 7.0);
            var overdue = OverdueOn(id) is { } on && on <= Today;
            var unlikely = purchases.ProbabilityAlive(buyer) < AtRiskRule.AliveLine;
            var rfm = everyone[id].RfmSegment is "at-risk" or "cant-lose-them" or "about-to-sleep";
            if (overdue || unlikely || rfm) expected[id] = (overdue, unlikely, rfm);
        }
        expected.Should().ContainKey(3, "Fiona is 18 days away against her usual 5 days");
        expected[3].Overdue.Should().BeTrue();

        var atRisk = await PageAsync("list=at-risk");
        atRisk.Customers.Select(c => c.Id).Should().BeEquivalentTo(expected.Keys);
        atRisk.TotalCount.Should().Be(expected.Count);
        atRisk.Filter.Should().Be("list=at-risk&pageSize=250");
        foreach (var sort in new[] { "pAlive", "overdue", "predictedValue" })
            (await PageAsync($"list=at-risk&sort={sort}")).Customers.Select(c => c.Id).Should().BeEquivalentTo(expected.Keys, $"sorted by {sort}");
        atRisk.Customers.Should().NotContain(c => c.FirstName == "Wendy" || c.FirstName == "Tom" || c.FirstName == "Oscar", "they are past the threshold: the inactive list has them");
        foreach (var row in atRisk.Customers)
        {
            var (overdue, unlikely, rfm) = expected[row.Id];
            row.AtRiskReasons.Any(r => r.StartsWith("Overdue by their own cycle")).Should().Be(overdue, row.Name);
            row.AtRiskReasons.Any(r => r.StartsWith("Chance still a customer")).Should().Be(unlikely, row.Name);
            row.AtRiskReasons.Any(r => r.StartsWith("RFM group")).Should().Be(rfm, row.Name);
        }
        atRisk.Customers.Single(c => c.Id == 3).AtRiskReasons[0].Should().Be("Overdue by their own cycle: away 3.6× their usual 5 days between orders");
        (await PageAsync("")).Customers.Should().OnlyContain(c => c.AtRiskReasons.Count == 0, "customers past the threshold are inactive, not at risk");
    }

    [Fact]
    public async Task The_at_risk_list_sorted_by_a_prediction_is_in_that_order_on_the_page_with_a_search_and_in_its_csv()
    {
        await RefitAsync();
        var atRisk = (await PageAsync("list=at-risk")).Customers;
        atRisk.Should().HaveCountGreaterThan(2);

        // Unknown values last in the default direction, ties by id in the same direction.
        var byAlive = atRisk.OrderBy(c => c.ProbabilityAlive ?? 2).ThenBy(c => c.Id).Select(c => c.Id).ToList();
        var byValue = atRisk.OrderByDescending(c => c.PredictedValue ?? -1).ThenByDescending(c => c.Id).Select(c => c.Id).ToList();
        (await PageAsync("list=at-risk&sort=pAlive")).Customers.Select(c => c.Id).Should().Equal(byAlive);
        (await PageAsync("list=at-risk&sort=pAlive&direction=desc")).Customers.Select(c => c.Id).Should().Equal(Enumerable.Reverse(byAlive));
        (await PageAsync("list=at-risk&sort=predictedValue")).Customers.Select(c => c.Id).Should().Equal(byValue);

        // A condition on the customers' own columns (the search) with a prediction sort.
        (await PageAsync("list=at-risk&sort=pAlive&q=fiona")).Customers.Select(c => c.FirstName).Should().Equal("Fiona");
        (await PageAsync("list=at-risk&sort=pAlive&q=nobody-by-that-name")).Customers.Should().BeEmpty();

        var client = _app.CreateClientFor(_shop.Domain);
        var link = (await (await client.PostAsync("/api/reports/inactive/export?list=at-risk&sort=pAlive", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        var csv = (await _app.CreateClient().GetStringAsync(link.Url)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csv.Skip(1).Select(l => long.Parse(l.Split(',')[0].TrimStart('\uFEFF'))).Should().Equal(byAlive);
    }

    [Fact]
    public async Task A_recent_buyer_whose_chance_falls_below_the_line_is_listed_with_the_chance_in_words()
    {
        await RefitAsync();
        var regular = (await PageAsync("list=all")).Customers.First(c => c.FirstName == "Regular12");
        (await PageAsync("list=at-risk")).Customers.Should().NotContain(c => c.Id == regular.Id);
        // The model's verdict changes (as after a refit): 31 % is below the 50 % line; 50 % is not.
        await using (var db = _app.CreateDbContext())
            await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId && p.CustomerId == regular.Id).ExecuteUpdateAsync(p => p.SetProperty(x => x.ProbabilityAlive, 0.31));
        var listed = (await PageAsync("list=at-risk")).Customers.Single(c => c.Id == regular.Id);
        listed.AtRiskReasons.Should().Equal("Chance still a customer 31 %, below 50 %");
        await using (var db = _app.CreateDbContext())
            await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId && p.CustomerId == regular.Id).ExecuteUpdateAsync(p => p.SetProperty(x => x.ProbabilityAlive, 0.5));
        (await PageAsync("list=at-risk")).Customers.Should().NotContain(c => c.Id == regular.Id);
        var context = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<ReportContext>("/api/reports/context");
        context!.AtRiskAliveLine.Should().Be(0.5, "the page states the line");
    }

    [Fact]
    public async Task The_at_risk_list_exports_saves_and_reaches_the_digest_and_refuses_inactive_only_filters_in_words()
    {
        await RefitAsync();
        var client = _app.CreateClientFor(_shop.Domain);
        var atRisk = await PageAsync("list=at-risk");
        atRisk.Customers.Should().NotBeEmpty();

        var link = (await (await client.PostAsync("/api/reports/inactive/export?list=at-risk", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        var csv = (await _app.CreateClient().GetStringAsync(link.Url)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csv[0].Should().EndWith(",RFM score,Why at risk");
        csv.Skip(1).Select(l => long.Parse(l.Split(',')[0].TrimStart('\uFEFF'))).Should().Equal(atRisk.Customers.Select(c => c.Id));
        csv.Single(l => l.Contains(",Fiona,")).Should().Contain("Overdue by their own cycle");

        var saved = await client.PutAsJsonAsync("/api/views", new SaveViewRequest("Slipping, subscribed", "consent=subscribed&list=at-risk"));
        (await saved.Content.ReadFromJsonAsync<SavedViewDto>())!.Query.Should().Be("list=at-risk&consent=subscribed");

        var refused = await client.GetAsync("/api/reports/inactive?list=at-risk&window=optimal");
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("ordered in the last 4 weeks").And.Contain("\"window\"");
        (await client.GetAsync("/api/reports/inactive?list=someday")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var scope = _app.Services.CreateScope();
        var digest = await scope.ServiceProvider.GetRequiredService<DigestComposer>().ComposeAsync(_shop.ShopId, "2026-W47", CancellationToken.None);
        digest.AtRiskCount.Should().Be(atRisk.TotalCount);
        digest.AtRisk.Select(c => c.Id).Should().Equal(atRisk.Customers.OrderByDescending(c => c.TotalSpent).ThenByDescending(c => c.Id).Take(DigestContent.ListedAtRisk).Select(c => c.Id));
        digest.AtRisk.Should().OnlyContain(c => c.AtRiskReasons.Count > 0);
    }

    [Fact]
    public async Task The_rfm_overview_counts_every_customer_in_its_group_links_to_its_list_and_counts_moves_between_refits()
    {
        var before = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<RfmOverview>("/api/reports/rfm");
        before!.Customers.Should().Be(0);
        before.Explanation.Should().Contain("after the first sync");

        await RefitAsync();
        var all = (await PageAsync("list=all")).Customers;
        var overview = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<RfmOverview>("/api/reports/rfm"))!;
        overview.Groups.Should().HaveCount(11);
        overview.Customers.Should().Be(_orders.Count, "every customer with an order is in one group");
        overview.TotalSpent.Should().Be(_orders.Values.Sum(o => o.Sum(x => x.Total)));
        foreach (var group in overview.Groups)
        {
            var members = all.Where(c => c.RfmSegment == group.Key).ToList();
            group.Customers.Should().Be(members.Count, group.Title);
            group.TotalSpent.Should().Be(members.Sum(m => _orders[m.Id].Sum(o => o.Total)), group.Title);
            group.ListQuery.Should().Be($"list=all&rfm={group.Key}");
            (await PageAsync(group.ListQuery)).TotalCount.Should().Be(group.Customers, $"the {group.Title} cell links to its list");
        }
        (overview.Moved, overview.ComparedWith).Should().Be((null, null), "the first refit has nothing to compare with");

        // A week on, Oscar (one order in September) orders twice and Tom once: the next refit regroups them.
        var groupsBefore = all.ToDictionary(c => c.Id, c => c.RfmSegment);
        _time.Advance(TimeSpan.FromDays(7));
        await OrderAsync(9001, 4, Now.AddDays(5), 400m);
        await OrderAsync(9002, 4, Now.AddDays(6), 400m);
        await OrderAsync(9003, 2, Now.AddDays(6), 250m);
        await RefitAsync();
        var groupsAfter = (await PageAsync("list=all")).Customers.ToDictionary(c => c.Id, c => c.RfmSegment);
        var moves = groupsAfter.Where(g => groupsBefore[g.Key] != g.Value).Select(g => (Id: g.Key, From: groupsBefore[g.Key]!, To: g.Value!)).ToList();
        moves.Should().Contain(m => m.Id == 4, "Oscar is a different customer now");

        var after = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<RfmOverview>("/api/reports/rfm"))!;
        after.Moved.Should().Be(moves.Count);
        after.ComparedWith.Should().Be(Today);
        after.RefittedOn.Should().Be(Today.AddDays(7));
        foreach (var group in after.Groups)
        {
            group.MovedIn.Should().Be(moves.Count(m => m.To == group.Key), group.Title);
            group.MovedOut.Should().Be(moves.Count(m => m.From == group.Key), group.Title);
        }
    }

    /// <summary>An order arriving as Shopify's webhook (the customer is rescored at once; their refit group stays until the next refit).</summary>
    private async Task OrderAsync(long orderId, long customerId, DateTimeOffset placed, decimal total)
    {
        var order = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = orderId, name = $"#{orderId}", processed_at = placed, created_at = placed, updated_at = placed, cancelled_at = (DateTimeOffset?)null, test = false,
            current_total_price_set = new { shop_money = new { amount = total.ToString(System.Globalization.CultureInfo.InvariantCulture), currency_code = "USD" } },
            customer = new { id = customerId, updated_at = placed },
        });
        (await _app.PostWebhookAsync("orders/create", _shop.Domain, order)).EnsureSuccessStatusCode();
        await _app.ProcessWebhooksAsync();
        _orders[customerId].Add((DateOnly.FromDateTime(placed.ToOffset(TimeSpan.FromHours(-5)).DateTime), total));
    }
}
