using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using WinBack.Web.Outcomes;
using WinBack.Web.Sync;

namespace WinBack.Browser.Tests;

/// <summary>
/// The lift card, the "Who came back" list and the control group's settings section, on a generated shop whose
/// listings were seeded 100 days ago with a known effect (30 % of 90 contacted customers back within 10 days, 12.5 % of 40
/// held out), at the two laptop sizes merchants use most.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiftPageTests(BrowserApp browser)
{
    private const string Shop = "browser-lift.myshopify.com";
    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static (long CustomerId, string Name)? _latestComeback;

    /// <summary>Installs and seeds the shop once for every size.</summary>
    private async Task<(long CustomerId, string Name)> SeedOnceAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            if (_latestComeback is { } seeded) return seeded;
            await browser.InstallAndSyncAsync(Shop, orders: 1_200, seed: 41);
            var client = browser.App.CreateClientFor(Shop);
            (await client.PutAsJsonAsync("/api/settings/control-group", new ControlGroupRequest(true))).EnsureSuccessStatusCode();
            var listedAt = DateTimeOffset.UtcNow.AddDays(-100);
            await using var db = browser.App.CreateDbContext();
            var shopId = (await db.Shops.SingleAsync(s => s.Domain == Shop)).Id;
            var customers = await db.Customers.Where(c => c.ShopId == shopId && c.OrdersCount > 0 && c.FirstName != null)
                .OrderBy(c => c.LastOrderAt).Take(130).ToListAsync();
            customers.Should().HaveCount(130, "the generated shop has enough customers for both groups");
            for (var i = 0; i < customers.Count; i++)
            {
                var (customer, control) = (customers[i], i >= 90);
                db.WinBackListings.Add(new WinBackListing
                {
                    ShopId = shopId, CustomerId = customer.Id, LastOrderOn = new DateOnly(2020, 1, 1), FirstListedAt = listedAt, Segment = "low-value-long",
                    Control = control, Channels = control ? ListingChannels.Sheet | ListingChannels.Tags : ListingChannels.Digest | ListingChannels.Sheet | ListingChannels.Tags,
                });
                var back = control ? i < 95 : i < 27;
                if (!back) continue;
                var at = listedAt.AddDays(i == 0 ? 20 : 10);
                db.Orders.Add(new Order
                {
                    ShopId = shopId, Id = 990_000_000 + i, CustomerId = customer.Id, Name = $"#W{i}", ProcessedAt = at, UpdatedAt = at, CurrentTotal = 45m + i, CurrencyCode = "USD",
                });
            }
            db.OrderLineItems.AddRange(
                new OrderLineItem { ShopId = shopId, OrderId = 990_000_000, Id = 1, Title = "Blue mug", Quantity = 2 },
                new OrderLineItem { ShopId = shopId, OrderId = 990_000_000, Id = 2, Title = "Green tea", Quantity = 1 });
            await db.SaveChangesAsync();
            var first = customers[0];
            _latestComeback = (first.Id, $"{first.FirstName} {first.LastName}".Trim());
            return _latestComeback.Value;
        }
        finally
        {
            Seeding.Release();
        }
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(1440, 900)]
    public async Task The_lift_card_states_the_measured_lift_and_the_came_back_list_shows_who_returned(int width, int height)
    {
        var latest = await SeedOnceAsync();
        var client = browser.App.CreateClientFor(Shop);
        var lift = (await client.GetFromJsonAsync<OutcomeReport>("/api/reports/outcomes"))!.Lift;
        lift.HeadlineDays.Should().NotBeNull("both groups are big enough for an interval: {0}", lift.Headline);
        var cameBack = (await client.GetFromJsonAsync<CameBackPage>("/api/reports/outcomes/came-back"))!;

        var (page, app) = await browser.OpenAsync(Shop, "", height, width: width);

        var liftHeading = app.GetByRole(AriaRole.Heading, new() { Name = "Measured lift", Exact = true });
        var card = app.Locator("div").Filter(new() { Has = liftHeading }).Filter(new() { HasText = "How this is measured" }).Last;
        await Expect(card.GetByText(lift.Headline, new() { Exact = true })).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(card.GetByText("Win-back brought back", new() { Exact = false }).First).ToBeVisibleAsync();
        await Expect(card.GetByRole(AriaRole.Rowheader, new() { Name = "All listed customers" })).ToBeVisibleAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "How this is measured" }).ClickAsync();
        await Expect(card.GetByText(lift.Method, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(card.GetByText(ControlGroup.Why, new() { Exact = true })).ToBeVisibleAsync();
        await ExpectInsideAsync(card, width);

        var list = app.Locator("div").Filter(new() { Has = app.GetByRole(AriaRole.Heading, new() { Name = "Who came back", Exact = true }) })
            .Filter(new() { HasText = "After the listing of" }).Last;
        await Expect(list.GetByText($"{cameBack.TotalCount} listed customers ordered again after WinBack listed them.")).ToBeVisibleAsync(BrowserApp.Loaded);
        var first = list.Locator("tbody tr").First;
        await Expect(first).ToContainTextAsync(latest.Name);
        await Expect(first).ToContainTextAsync("20 days later");
        await Expect(first).ToContainTextAsync("Digest, Google Sheet, Shopify tags");
        await Expect(first).ToContainTextAsync("#W0");
        await Expect(first).ToContainTextAsync("Blue mug, Green tea");
        await Expect(list.GetByText("Control group, held out of Google Sheet, Shopify tags").First).ToBeVisibleAsync();
        await Expect(list.GetByRole(AriaRole.Button, new() { Name = "Next" })).ToBeVisibleAsync();
        await ExpectInsideAsync(list, width);
        var widths = await app.Locator("body").EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], "at {0} px wide the page must not run off its right edge", width);

        if (width == 1440)
        {
            await BrowserApp.ScreenshotAsync(page, "win-back-lift", card);
            await BrowserApp.ScreenshotAsync(page, "win-back-came-back", list);
        }
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(1440, 900)]
    public async Task Settings_say_how_many_customers_the_control_group_holds_out_and_why(int width, int height)
    {
        await SeedOnceAsync();
        var status = (await browser.App.CreateClientFor(Shop).GetFromJsonAsync<ControlGroupSettings>("/api/settings/control-group"))!;
        status.HeldOutCustomers.Should().Be(40);

        var (_, app) = await browser.OpenAsync(Shop, "tab=settings", height, width: width);

        var checkbox = app.GetByRole(AriaRole.Checkbox, new() { Name = "Hold out a control group (10 % of listed customers)" });
        await Expect(checkbox).ToBeCheckedAsync(new() { Timeout = 15_000 });
        await Expect(app.GetByText(ControlGroup.Why, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(app.GetByText($"40 customers held out of {status.ListedCustomers} listed customers in the last 365 days.", new() { Exact = false })).ToBeVisibleAsync();
        await ExpectInsideAsync(app.GetByText(ControlGroup.Why, new() { Exact = true }), width);
    }

    private static async Task ExpectInsideAsync(ILocator element, int width)
    {
        await Expect(element).ToBeVisibleAsync();
        var box = (await element.BoundingBoxAsync())!;
        (box.X + box.Width).Should().BeLessThanOrEqualTo(width, "the element is within the {0} px window", width);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
