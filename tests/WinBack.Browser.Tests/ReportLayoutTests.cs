using System.Net.Http.Json;
using Microsoft.Playwright;
using WinBack.Web.Reports;
using WinBack.Web.Settings;
using static Microsoft.Playwright.Assertions;

namespace WinBack.Browser.Tests;

/// <summary>On a 1,280 × 800 laptop: the list starts above the fold, the table fits without scrolling sideways, and the columns a merchant chooses stay chosen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportLayoutTests(BrowserApp browser)
{
    [Fact]
    public async Task On_a_laptop_the_list_starts_above_the_fold_and_its_table_fits_and_chosen_columns_are_remembered()
    {
        var client = browser.App.CreateClientFor(BrowserApp.ReportShop);
        var total = (await client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive"))!.TotalCount;
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 800, width: 1280);

        var heading = app.GetByRole(AriaRole.Heading, new() { Name = $"{total:N0} inactive customers", Exact = true });
        await Expect(heading).ToBeVisibleAsync(BrowserApp.Loaded);
        var box = (await heading.BoundingBoxAsync())!;
        (box.Y + box.Height).Should().BeLessThan(800, "the list's heading is on the first screen of a 1,280 × 800 laptop");
        await Expect(app.Locator("tbody tr").First).ToBeVisibleAsync();
        var widths = await app.Locator(".Polaris-IndexTable-ScrollContainer").EvaluateAsync<int[]>("e => [e.scrollWidth, e.clientWidth]");
        widths[0].Should().BeLessThanOrEqualTo(widths[1], "the default columns fit the table's width: nothing hides to the right");
        await BrowserApp.ScreenshotAsync(page, "laptop-1280");

        try
        {
            await app.GetByRole(AriaRole.Button, new() { Name = "Columns" }).ClickAsync();
            await app.GetByRole(AriaRole.Checkbox, new() { Name = "RFM" }).CheckAsync();
            await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "RFM" })).ToBeVisibleAsync();

            (_, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 800, width: 1280);
            await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "RFM" })).ToBeVisibleAsync(BrowserApp.Loaded);
            await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Next order expected" })).ToHaveCountAsync(0);
        }
        finally
        {
            // The other tests of the collection read the same shop with its default columns.
            (await client.PutAsJsonAsync("/api/settings/columns", new ReportColumnsRequest([.. ReportColumns.Default]))).EnsureSuccessStatusCode();
        }
    }
}
