using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Reports;
using WinBack.Web.ShopifyTags;

namespace WinBack.Web.Tests.ShopifyTags;

/// <summary>
/// Status in Shopify itself: a generated shop synced into WinBack, tagged in the simulator through tagsAdd / tagsRemove
/// once the merchant grants the optional write_customers scope, then untagged when they turn it off.
/// </summary>
public sealed class ShopifyTagsTests : IAsyncLifetime
{
    private const string Domain = "tagged.myshopify.com";
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;
    private SimulatedShop _shop = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("tags");
        (_shop, _shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop(Domain, Orders: 400, Seed: 3));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RunAsync()
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerTagJob>().RunAsync(_shopId, CancellationToken.None);
    }

    private Dictionary<long, string[]> WinBackTagsInShopify()
    {
        lock (_shop.Sync)
            return _shop.Customers.Where(c => c.Tags.Any(t => t.StartsWith(CustomerTagJob.Prefix, StringComparison.Ordinal)))
                .ToDictionary(c => c.Id, c => c.Tags.Where(t => t.StartsWith(CustomerTagJob.Prefix, StringComparison.Ordinal)).ToArray());
    }

    private async Task<Dictionary<long, string>> InactiveSegmentsAsync()
    {
        var page = await _app.CreateClientFor(Domain).GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?pageSize=250");
        page!.TotalCount.Should().BeLessThanOrEqualTo(250, "the test shop's inactive list fits on one page");
        return page.Customers.ToDictionary(c => c.Id, c => c.Segment!);
    }

    [Fact]
    public async Task Tagging_needs_the_optional_scope_then_tags_every_inactive_customer_with_their_segment_and_follows_them()
    {
        var client = _app.CreateClientFor(Domain);
        var refused = await client.PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true));
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Allow WinBack to edit customers in Shopify first");

        ShopLifecycle.Grant(_shop, ["write_customers"]);
        long merchantTagged;
        lock (_shop.Sync)
        {
            var someone = _shop.Customers.First();
            someone.Tags = [.. someone.Tags, "vip"];
            merchantTagged = someone.Id;
        }
        (await client.PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true))).EnsureSuccessStatusCode();
        await RunAsync();

        var expected = await InactiveSegmentsAsync();
        expected.Should().NotBeEmpty();
        WinBackTagsInShopify().Should().BeEquivalentTo(expected.ToDictionary(e => e.Key, e => new[] { CustomerTagJob.TagOf(e.Value) }));
        var status = await client.GetFromJsonAsync<ShopifyTagsStatus>("/api/shopify-tags");
        (status!.Enabled, status.AccessGranted, status.TaggedCustomers, status.LastError).Should().Be((true, true, expected.Count, null));

        // One of them orders again (as a webhook would record it): at the next run their tag goes.
        var comeback = expected.Keys.First();
        await using (var db = _app.CreateDbContext())
            await db.Customers.Where(c => c.ShopId == _shopId && c.Id == comeback).ExecuteUpdateAsync(c => c.SetProperty(x => x.LastOrderAt, DateTimeOffset.UtcNow));
        await RunAsync();
        WinBackTagsInShopify().Should().NotContainKey(comeback).And.HaveCount(expected.Count - 1);

        // Turned off, every WinBack tag is removed; the merchant's own tags stay. A customer deleted in Shopify meanwhile
        // has no tag to remove: the others are still untagged and no error is kept.
        var deleted = expected.Keys.Last();
        lock (_shop.Sync) _shop.Remove(_shop.FindCustomer(deleted)!);
        (await client.PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(false))).EnsureSuccessStatusCode();
        await RunAsync();
        WinBackTagsInShopify().Should().BeEmpty();
        (await client.GetFromJsonAsync<ShopifyTagsStatus>("/api/shopify-tags"))!.LastError.Should().BeNull();
        lock (_shop.Sync) _shop.FindCustomer(merchantTagged)!.Tags.Should().Contain("vip");
        await using (var db = _app.CreateDbContext()) (await db.CustomerTags.CountAsync(t => t.ShopId == _shopId)).Should().Be(0);
    }

    [Fact]
    public async Task A_revoked_scope_is_reported_in_words_and_nothing_is_half_written()
    {
        ShopLifecycle.Grant(_shop, ["write_customers"]);
        (await _app.CreateClientFor(Domain).PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true))).EnsureSuccessStatusCode();
        ShopLifecycle.Revoke(_shop, ["write_customers"]);

        await RunAsync();

        var status = await _app.CreateClientFor(Domain).GetFromJsonAsync<ShopifyTagsStatus>("/api/shopify-tags");
        status!.AccessGranted.Should().BeFalse();
        status.LastError.Should().Be("WinBack may not edit customers in this shop any more. Turn tagging off and on again to grant access.");
        WinBackTagsInShopify().Should().BeEmpty();
    }

    [Fact]
    public async Task Recent_buyers_on_the_at_risk_list_are_tagged_at_risk_and_never_with_a_segment()
    {
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<WinBack.Web.Predictions.CustomerPredictionJob>().RunAsync(_shopId, CancellationToken.None);
        // Two of the recent buyers are given a falling chance of still being customers (the models' own output on so small
        // a shop puts nobody below the line).
        await using (var db = _app.CreateDbContext())
        {
            var recent = await db.Customers.Where(c => c.ShopId == _shopId && c.OrdersCount > 0 && c.LastOrderAt > DateTimeOffset.UtcNow.AddDays(-14))
                .OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync();
            recent.Should().HaveCount(2, "the generated shop has recent buyers");
            await db.CustomerPredictions.Where(p => p.ShopId == _shopId && recent.Contains(p.CustomerId))
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.ProbabilityAlive, 0.2));
        }
        var atRisk = (await _app.CreateClientFor(Domain).GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=at-risk&pageSize=250"))!;
        atRisk.TotalCount.Should().BeInRange(1, 250, "the generated shop has recent buyers who are slipping, and they fit on one page");
        ShopLifecycle.Grant(_shop, ["write_customers"]);
        (await _app.CreateClientFor(Domain).PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true))).EnsureSuccessStatusCode();

        await RunAsync();

        var tags = WinBackTagsInShopify();
        tags.Where(t => t.Value.Contains(CustomerTagJob.AtRiskTag)).Select(t => t.Key).Should().BeEquivalentTo(atRisk.Customers.Select(c => c.Id));
        var inactive = await InactiveSegmentsAsync();
        foreach (var customer in atRisk.Customers)
        {
            tags[customer.Id].Should().Equal([CustomerTagJob.AtRiskTag], "a recent buyer is not past the threshold, so has no segment");
            inactive.Should().NotContainKey(customer.Id);
        }
    }
}
