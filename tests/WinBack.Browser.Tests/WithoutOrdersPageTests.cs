using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using WinBack.Web.Reports;

namespace WinBack.Browser.Tests;

/// <summary>The "Customers without orders" tab on the generated report shop, on a 1,280 × 800 laptop: the list's own toolbar.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WithoutOrdersPageTests(BrowserApp browser)
{
    /// <summary>The list as the API gives it for the filter in the page's address (the page adds the list from its tab).</summary>
    private async Task<InactiveCustomersPage> ApiPageOfAsync(IPage page)
    {
        var parameters = QueryHelpers.ParseQuery(new Uri(page.Url).Query).Where(p => p.Key is not ("tab" or "shop" or "host"))
            .Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value.ToString())}");
        var query = string.Join('&', parameters.Prepend("list=without-orders"));
        return (await browser.App.CreateClientFor(BrowserApp.ReportShop).GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{query}"))!;
    }

    private static async Task ExpectListAsync(IFrameLocator app, InactiveCustomersPage expected)
    {
        var heading = expected.TotalCount == 1 ? "1 customer without orders" : $"{expected.TotalCount:N0} customers without orders";
        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(app.Locator($"tbody a[href$='/customers/{expected.Customers[0].Id}']")).ToBeVisibleAsync(BrowserApp.Loaded);
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(expected.Customers.Select(c => c.Id));
    }

    [Fact]
    public async Task The_tab_lists_customers_without_orders_with_search_sort_and_consent_like_the_other_lists()
    {
        var shop = browser.Shop(BrowserApp.ReportShop);
        int withoutOrders, subscribed;
        lock (shop.Sync)
        {
            var never = shop.Customers.Where(c => shop.QualifyingOrdersOf(c.Id).Count == 0).ToList();
            (withoutOrders, subscribed) = (never.Count, never.Count(c => c.MarketingState == "SUBSCRIBED"));
        }
        subscribed.Should().BeGreaterThan(0).And.BeLessThan(withoutOrders, "the generated shop has customers without orders on both sides of consent");

        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=without-orders", 800, width: 1280);

        var newest = await ApiPageOfAsync(page);
        newest.TotalCount.Should().Be(withoutOrders);
        await ExpectListAsync(app, newest);
        await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Signed up" })).ToBeVisibleAsync();
        await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Email marketing" })).ToBeVisibleAsync();
        await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Last order" })).ToHaveCountAsync(0);
        await Expect(app.GetByText("Why these customers need another approach")).ToBeVisibleAsync();
        foreach (var button in new[] { "Save view", "Export CSV", "Sign-up date", "Email consent" })
            await Expect(app.GetByRole(AriaRole.Button, new() { Name = button, Exact = true })).ToBeVisibleAsync();
        var widths = await app.Locator("body").EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], "at 1,280 px the page must not run off its right edge");
        await BrowserApp.ScreenshotAsync(page, "customers-without-orders");

        await app.GetByRole(AriaRole.Button, new() { Name = "Email consent", Exact = true }).ClickAsync();
        await app.GetByText("Subscribed to email marketing", new() { Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("consent=subscribed"));
        var consenting = await ApiPageOfAsync(page);
        consenting.TotalCount.Should().Be(subscribed);
        await ExpectListAsync(app, consenting);

        await app.GetByRole(AriaRole.Columnheader, new() { Name = "Customer" }).GetByRole(AriaRole.Button).ClickAsync();
        await page.WaitForURLAsync(new Regex("sort=name"));
        var byName = await ApiPageOfAsync(page);
        await ExpectListAsync(app, byName);

        var term = byName.Customers[0].Email!.Split('@')[0];
        await app.GetByPlaceholder("Search by name or email").FillAsync(term);
        await page.WaitForURLAsync(new Regex($"q={Regex.Escape(Uri.EscapeDataString(term))}"));
        var found = await ApiPageOfAsync(page);
        found.Customers.Should().Contain(c => c.Id == byName.Customers[0].Id).And.OnlyContain(c => c.Email!.Contains(term, StringComparison.OrdinalIgnoreCase) || c.Name.Contains(term, StringComparison.OrdinalIgnoreCase));
        await ExpectListAsync(app, found);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
