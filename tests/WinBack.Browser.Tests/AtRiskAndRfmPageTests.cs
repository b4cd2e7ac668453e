using System.Net.Http.Json;
using Microsoft.Playwright;
using WinBack.Web.Reports;

namespace WinBack.Browser.Tests;

/// <summary>
/// The "At risk" tab and the "RFM overview" tab on the generated report shop (synced and with its models fitted), at
/// the two laptop sizes merchants use most: nothing is cut off at the right edge.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AtRiskAndRfmPageTests(BrowserApp browser)
{
    private static readonly string[] TabNames = ["Inactive customers", "At risk", "RFM overview", "Customers without orders", "Settings"];

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(1440, 900)]
    public async Task At_risk_lists_slipping_customers_each_with_why(int width, int height)
    {
        var client = browser.App.CreateClientFor(BrowserApp.ReportShop);
        var atRisk = (await client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=at-risk"))!;
        atRisk.TotalCount.Should().BeGreaterThan(0, "the generated shop has recent buyers who are slipping");
        var customer = atRisk.Customers[0];
        customer.AtRiskReasons.Should().NotBeEmpty();

        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=at-risk", height, width: width);

        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = atRisk.TotalCount == 1 ? "1 customer at risk" : $"{atRisk.TotalCount:N0} customers at risk", Exact = true })).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Why at risk" })).ToBeVisibleAsync();
        var row = RowOf(app, customer.Id);
        await Expect(row.GetByRole(AriaRole.Link, new() { Name = customer.Name, Exact = true })).ToBeVisibleAsync();
        foreach (var reason in customer.AtRiskReasons) await Expect(row.GetByText(reason, new() { Exact = true })).ToBeAttachedAsync();
        await ExpectNothingCutOffAsync(app, width);

        if (width == 1440) await BrowserApp.ScreenshotAsync(page, "at-risk");
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(1440, 900)]
    public async Task Rfm_overview_counts_each_group_and_a_group_opens_its_customers(int width, int height)
    {
        var client = browser.App.CreateClientFor(BrowserApp.ReportShop);
        var overview = (await client.GetFromJsonAsync<RfmOverview>("/api/reports/rfm"))!;
        overview.Groups.Should().HaveCount(11);
        var group = overview.Groups.MaxBy(g => g.Customers)!;
        var members = (await client.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{group.ListQuery}"))!;

        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=rfm", height, width: width);

        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = $"RFM overview: {overview.Customers:N0} customers with an order", Exact = true }))
            .ToBeVisibleAsync(BrowserApp.Loaded);
        var cell = app.Locator($"[data-rfm-group='{group.Key}']");
        await Expect(cell).ToContainTextAsync(group.Title);
        await Expect(cell).ToContainTextAsync($"{group.Customers:N0}");
        await ExpectNothingCutOffAsync(app, width);
        await ExpectInsideAsync(app.Locator("[data-rfm-group]").Last, width);
        if (width == 1440) await BrowserApp.ScreenshotAsync(page, "rfm-overview");

        await cell.ClickAsync();

        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = group.Customers == 1 ? "1 customer" : $"{group.Customers:N0} customers", Exact = true })).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(RowOf(app, members.Customers[0].Id)).ToBeVisibleAsync();
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(members.Customers.Select(c => c.Id), "the group's list is every customer in it, as the API lists them");
        page.Url.Should().Contain($"rfm={group.Key}");
        await ExpectNothingCutOffAsync(app, width);
    }

    private static ILocator RowOf(IFrameLocator app, long customerId) =>
        app.Locator("tbody tr").Filter(new() { Has = app.Locator($"a[href$='/customers/{customerId}']") });

    /// <summary>Every tab fits on one line and the page does not scroll sideways (a wide table scrolls inside its own box).</summary>
    private static async Task ExpectNothingCutOffAsync(IFrameLocator app, int width)
    {
        foreach (var name in TabNames) await ExpectInsideAsync(app.GetByRole(AriaRole.Tab, new() { Name = name, Exact = true }), width);
        var widths = await app.Locator("body").EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], "at {0} px wide the page must not run off its right edge", width);
    }

    private static async Task ExpectInsideAsync(ILocator element, int width)
    {
        await Expect(element).ToBeVisibleAsync();
        var box = (await element.BoundingBoxAsync())!;
        (box.X + box.Width).Should().BeLessThanOrEqualTo(width, "{0} is within the {1} px window", await element.InnerTextAsync(), width);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
