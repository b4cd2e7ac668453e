using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Outcomes;
using WinBack.Web.ShopifyTags;

namespace WinBack.Web.Tests.ShopifyTags;

/// <summary>
/// The outcomes count a customer as reached through the tags once their tag is in Shopify. A run writes at most
/// <see cref="ShopifyTagsOptions.MaxChangesPerRun"/> changes (20 here) and queues the next run for the rest: the customers
/// whose tag waits are listed by the run that writes it, not before. The control group's customers, who get no tag,
/// are listed as control from the first run.
/// </summary>
public sealed class TagListingTests : IAsyncLifetime
{
    private const string Domain = "tag-listings.myshopify.com";
    private const int MaxChanges = 20;
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;
    private SimulatedShop _shop = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("tag-listings",
            settings: new Dictionary<string, string> { ["ShopifyTags:MaxChangesPerRun"] = MaxChanges.ToString() });
        (_shop, _shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop(Domain, Orders: 400, Seed: 3));
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task RunAsync()
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerTagJob>().RunAsync(_shopId, CancellationToken.None);
    }

    private HashSet<long> TaggedInShopify()
    {
        lock (_shop.Sync)
            return _shop.Customers.Where(c => c.Tags.Any(t => t.StartsWith(CustomerTagJob.Prefix, StringComparison.Ordinal))).Select(c => c.Id).ToHashSet();
    }

    private async Task<List<WinBackListing>> TagListingsAsync()
    {
        await using var db = _app.CreateDbContext();
        return await db.WinBackListings.Where(l => l.ShopId == _shopId && (l.Channels & ListingChannels.Tags) != 0).ToListAsync();
    }

    [Fact]
    public async Task A_customer_is_listed_through_the_tags_once_their_tag_is_in_shopify_not_while_it_waits_for_the_next_run()
    {
        var client = _app.CreateClientFor(Domain);
        ShopLifecycle.Grant(_shop, ["write_customers"]);
        (await client.PutAsJsonAsync("/api/settings/control-group", new ControlGroupRequest(true))).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync("/api/shopify-tags", new ShopifyTagsRequest(true))).EnsureSuccessStatusCode();

        await RunAsync();
        var tagged = TaggedInShopify();
        tagged.Should().HaveCount(MaxChanges, "one run writes at most its share of changes");
        var listings = await TagListingsAsync();
        listings.Where(l => !l.Control).Select(l => l.CustomerId).Should().BeEquivalentTo(tagged, "only the customers whose tag is in Shopify were reached");
        var control = listings.Where(l => l.Control).Select(l => l.CustomerId).ToList();
        control.Should().NotBeEmpty("the control group's customers get no tag, so they are listed as control at once");
        control.Should().NotIntersectWith(tagged);

        // The next runs write the rest; each customer is listed when their tag lands, and their first listing is kept.
        var firstListed = listings.ToDictionary(l => l.CustomerId, l => l.FirstListedAt);
        for (var run = 0; run < 30; run++)
        {
            var before = TaggedInShopify().Count;
            await RunAsync();
            if (TaggedInShopify().Count == before) break;
        }
        var all = await TagListingsAsync();
        all.Where(l => !l.Control).Select(l => l.CustomerId).Should().BeEquivalentTo(TaggedInShopify());
        TaggedInShopify().Count.Should().BeGreaterThan(MaxChanges, "the shop has more inactive customers than one run tags");
        all.Where(l => firstListed.ContainsKey(l.CustomerId)).Should().OnlyContain(l => l.FirstListedAt == firstListed[l.CustomerId]);
    }
}
