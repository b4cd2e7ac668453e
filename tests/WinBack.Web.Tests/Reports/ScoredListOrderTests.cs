using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// Once a shop has a fit, the lists whose every condition is on the scores (an RFM group, a churn-risk band, the
/// personal-cycle list, the at-risk list) are read from the scores alone. They must hold the rows and the order of the
/// same list read from the customers: longest gone first, ties (customers whose last orders share an instant) by id,
/// page after page. 120 customers; many last orders at the same local 10:00, so ties are common. Today is 2026-11-22.
/// </summary>
public sealed class ScoredListOrderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 22);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("scoredorder", new FakeTimeProvider(Now));
        _shop = await SeedAsync(new ReportShop(_app, "scored-order.myshopify.com"));
    }

    /// <summary>The 120 customers saved, and the shop's fit run.</summary>
    private async Task<ReportShop> SeedAsync(ReportShop shop)
    {
        for (var id = 1; id <= 120; id++)
        {
            shop.Customer(id, $"Customer{id}", "Scored");
            // Last orders 0 to 180 days ago, every fourth customer sharing a day (and the 10:00 of it) with another.
            var last = new DateTime(2026, 11, 21, 10, 0, 0).AddDays(-(id * 37 % 181) / (id % 4 == 0 ? 2 : 1));
            var gap = 4 + id * 13 % 45;
            for (var k = 0; k < 1 + id % 6; k++) shop.Order(id, last.AddDays(-k * gap), 20m + id % 9 * 15);
        }
        await shop.SaveAsync();
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shop.ShopId, CancellationToken.None);
        return shop;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Every row of the list, page after page of 25 (the smallest page), following the cursors.</summary>
    private async Task<List<ReportCustomer>> AllPagesAsync(string query, ReportShop? shop = null)
    {
        var client = _app.CreateClientFor((shop ?? _shop).Domain);
        var rows = new List<ReportCustomer>();
        string? cursor = null;
        do
        {
            var response = await client.GetAsync($"/api/reports/inactive?pageSize=25&{query}{(cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = (await response.Content.ReadFromJsonAsync<InactiveCustomersPage>())!;
            rows.AddRange(page.Customers);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return rows;
    }

    [Fact]
    public async Task Lists_read_from_the_scores_hold_the_customers_lists_rows_in_the_same_order_page_after_page()
    {
        var inactive = await AllPagesAsync("");
        var everyone = await AllPagesAsync("list=all");
        inactive.Should().HaveCountGreaterThan(50, "the shop must give several pages");
        inactive.GroupBy(c => c.LastOrderDate).Should().Contain(g => g.Count() > 1, "ties on the last order are what the order by id must settle");

        // The two most common RFM groups among the inactive customers, and the high churn risk band.
        var groups = inactive.GroupBy(c => c.RfmSegment).OrderByDescending(g => g.Count()).Take(2).Select(g => g.Key!).ToList();
        var inGroups = inactive.Where(c => groups.Contains(c.RfmSegment!)).Select(c => c.Id).ToList();
        inGroups.Should().HaveCountGreaterThan(25);
        (await AllPagesAsync($"rfm={string.Join(",", groups)}")).Select(c => c.Id).Should().Equal(inGroups);
        (await AllPagesAsync($"rfm={string.Join(",", groups)}&direction=desc")).Select(c => c.Id).Should().Equal(Enumerable.Reverse(inGroups));
        var highRisk = inactive.Where(c => c.ChurnRisk == "high").Select(c => c.Id).ToList();
        highRisk.Should().NotBeEmpty();
        (await AllPagesAsync("risk=high")).Select(c => c.Id).Should().Equal(highRisk);

        // The same groups over everyone with an order.
        var everyoneInGroups = everyone.Where(c => groups.Contains(c.RfmSegment!)).Select(c => c.Id).ToList();
        (await AllPagesAsync($"list=all&rfm={string.Join(",", groups)}")).Select(c => c.Id).Should().Equal(everyoneInGroups);

        // Personal cycle: overdue by their own cycle, or with no cycle of their own and away the shop's 4 weeks.
        var personal = everyone.Where(c => c.OverdueSince is { } since ? since <= Today : c.WeeksSinceLastOrder >= 4).Select(c => c.Id).ToList();
        personal.Should().HaveCountGreaterThan(25);
        (await AllPagesAsync("mode=personal")).Select(c => c.Id).Should().Equal(personal);

        // The at-risk list: recent buyers who are slipping, in the order of everyone with an order.
        var atRisk = everyone.Where(c => c.AtRiskReasons.Count > 0).Select(c => c.Id).ToList();
        atRisk.Should().NotBeEmpty();
        (await AllPagesAsync("list=at-risk")).Select(c => c.Id).Should().Equal(atRisk);

        // With a condition on the customers' own columns the list is read from the customers: the same rows again.
        (await AllPagesAsync($"rfm={string.Join(",", groups)}&q=scored")).Select(c => c.Id).Should().Equal(inGroups);

        // The prediction sorts, unknown values last in the default direction, ties by id in the same direction; read from
        // the scores alone, and from the scores joined to the customers when the customers' columns are asked too.
        // The stored scores, unrounded (the page shows P(alive) to three places).
        Dictionary<long, CustomerPrediction> scores;
        await using (var db = _app.CreateDbContext())
            scores = await db.CustomerPredictions.Where(p => p.ShopId == _shop.ShopId).ToDictionaryAsync(p => p.CustomerId);
        var byAlive = inactive.OrderBy(c => scores[c.Id].ProbabilityAlive ?? 2).ThenBy(c => c.Id).Select(c => c.Id).ToList();
        var byValue = inactive.OrderByDescending(c => scores[c.Id].PredictedValue ?? -1).ThenByDescending(c => c.Id).Select(c => c.Id).ToList();
        var byOverdue = inactive.OrderBy(c => scores[c.Id].OverdueOn ?? DateOnly.MaxValue).ThenBy(c => c.Id).Select(c => c.Id).ToList();
        foreach (var (sort, expected) in new[] { ("pAlive", byAlive), ("predictedValue", byValue), ("overdue", byOverdue) })
        {
            (await AllPagesAsync($"sort={sort}")).Select(c => c.Id).Should().Equal(expected, $"sorted by {sort}");
            (await AllPagesAsync($"sort={sort}&q=scored")).Select(c => c.Id).Should().Equal(expected, $"sorted by {sort}, with a search");
        }
        (await AllPagesAsync("sort=pAlive&risk=high")).Select(c => c.Id).Should().Equal(byAlive.Where(highRisk.Contains));
    }

    [Fact]
    public async Task A_list_read_from_the_scores_counts_a_customer_a_full_sync_rescores_after_its_merge()
    {
        // A full sync that finds a cancellation the webhooks missed writes the customer's rollups in its merge, and rescores
        // the customer at its end (CustomerRescoring.ScoreStaleAsync), in a transaction of its own. A merchant may load the
        // list in between; the list read after the rescoring must count the customer it now holds.
        var shop = await SeedAsync(new ReportShop(_app, "rescored-after-merge.myshopify.com")
            .Customer(121, "Lapsed", "Scored").Order(121, new DateTime(2026, 8, 1, 10, 0, 0), 40m).Order(121, new DateTime(2026, 11, 20, 10, 0, 0), 40m));
        (await AllPagesAsync("mode=personal", shop)).Select(c => c.Id).Should().NotContain(121, "two days away, on a 16-week cycle");

        // The merge: the latest order turns out cancelled, and the customer's rollups are written.
        await using (var db = _app.CreateDbContext())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            var latest = await db.Orders.Where(o => o.ShopId == shop.ShopId && o.CustomerId == 121).MaxAsync(o => o.ProcessedAt);
            await db.Orders.Where(o => o.ShopId == shop.ShopId && o.CustomerId == 121 && o.ProcessedAt == latest)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.CancelledAt, Now));
            await new WinBack.Web.Sync.CustomerRollups(db).RecomputeAsync(shop.ShopId, [121], CancellationToken.None);
            await transaction.CommitAsync();
        }
        var client = _app.CreateClientFor(shop.Domain);
        await client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?mode=personal");

        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CustomerRescoring>().ScoreStaleAsync(shop.ShopId, CancellationToken.None);

        var rows = await AllPagesAsync("mode=personal", shop);
        rows.Select(c => c.Id).Should().Contain(121, "one order left, from August: away far longer than the shop's 4 weeks");
        var page = (await client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?mode=personal"))!;
        page.TotalCount.Should().Be(rows.Count, "the count is of the list as it is after the rescoring");
    }

    [Fact]
    public async Task The_at_risk_list_sorted_by_a_prediction_holds_its_order_page_after_page_and_past_an_erasure_between_pages()
    {
        // A shop of quick repeat buyers gone quiet: 70 customers who bought 3 to 7 times, every 2 to 5 days, and last
        // 15 to 27 days ago. Each is still within the 4 weeks and overdue by their own cycle (two weeks at least).
        var seeded = new ReportShop(_app, "slipping-many.myshopify.com");
        for (var id = 1; id <= 70; id++)
        {
            seeded.Customer(id, $"Quick{id}", "Buyer");
            var last = new DateTime(2026, 11, 22, 10, 0, 0).AddDays(-(15 + id % 13));
            for (var k = 0; k < 3 + id % 5; k++) seeded.Order(id, last.AddDays(-k * (2 + id % 4)), 10m + id);
        }
        var shop = await seeded.SaveAsync();
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shop.ShopId, CancellationToken.None);

        var everyone = await AllPagesAsync("list=all", shop);
        Dictionary<long, CustomerPrediction> scores;
        await using (var db = _app.CreateDbContext())
            scores = await db.CustomerPredictions.Where(p => p.ShopId == shop.ShopId).ToDictionaryAsync(p => p.CustomerId);
        var atRisk = everyone.Where(c => c.AtRiskReasons.Count > 0).Select(c => scores[c.Id]).ToList();
        atRisk.Should().HaveCountGreaterThan(25, "the list must give several pages of 25");
        var byAlive = atRisk.OrderBy(p => p.ProbabilityAlive ?? 2).ThenBy(p => p.CustomerId).Select(p => p.CustomerId).ToList();
        var byValue = atRisk.OrderByDescending(p => p.PredictedValue ?? -1).ThenByDescending(p => p.CustomerId).Select(p => p.CustomerId).ToList();
        var byOverdue = atRisk.OrderBy(p => p.OverdueOn ?? DateOnly.MaxValue).ThenBy(p => p.CustomerId).Select(p => p.CustomerId).ToList();
        foreach (var (sort, expected, reversed) in new[] { ("pAlive", byAlive, "desc"), ("predictedValue", byValue, "asc"), ("overdue", byOverdue, "asc") })
        {
            (await AllPagesAsync($"list=at-risk&sort={sort}", shop)).Select(c => c.Id).Should().Equal(expected, $"sorted by {sort}");
            (await AllPagesAsync($"list=at-risk&sort={sort}&direction={reversed}", shop)).Select(c => c.Id).Should().Equal(Enumerable.Reverse(expected), $"sorted by {sort}, {reversed}");
        }

        // The last customer of the first page and one of the second are erased (customers/redact) before the merchant asks
        // for the second page: the list changed, and the second page starts where the first ended, without either.
        var client = _app.CreateClientFor(shop.Domain);
        var first = (await client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=at-risk&sort=pAlive&pageSize=25"))!;
        first.Customers.Select(c => c.Id).Should().Equal(byAlive.Take(25));
        await using (var db = _app.CreateDbContext())
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await WinBack.Web.Privacy.CustomerErasure.EraseAsync(db, shop.ShopId, [byAlive[24], byAlive[30]], CancellationToken.None);
            await transaction.CommitAsync();
        }
        var second = (await client.GetFromJsonAsync<InactiveCustomersPage>(
            $"/api/reports/inactive?list=at-risk&sort=pAlive&pageSize=25&after={Uri.EscapeDataString(first.NextCursor!)}"))!;
        second.Customers.Select(c => c.Id).Should().Equal(byAlive.Skip(25).Where(id => id != byAlive[30]).Take(25));
    }
}
