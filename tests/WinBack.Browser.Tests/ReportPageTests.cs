using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace WinBack.Browser.Tests;

/// <summary>The Inactive Customers report in a real Chromium, inside the simulated Shopify admin.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReportPageTests(BrowserApp browser)
{
    private static async Task WaitForCountAsync(IFrameLocator app, int count) =>
        await app.GetByRole(AriaRole.Heading, new() { Name = $"{count:N0} inactive customers", Exact = true }).WaitForAsync(new() { Timeout = 15_000 });

    [Fact]
    public async Task The_table_shows_the_inactive_customers_longest_away_first()
    {
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop));
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 2200);

        await WaitForCountAsync(app, expected.Count);
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(expected.Take(50).Select(e => e.Id));
        await Expect(app.GetByText($"1-50 of {expected.Count:N0}")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "inactive-customers");
    }

    [Fact]
    public async Task Own_cycle_mode_churn_risk_and_the_about_panel_explain_each_customer()
    {
        var expected = Expected.PersonallyInactive(browser.Shop(BrowserApp.ReportShop));
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 2600);

        await app.GetByRole(AriaRole.Button, new() { Name = "Inactive by" }).ClickAsync();
        await app.GetByText("Overdue by their own cycle", new() { Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("mode=personal"));
        await WaitForCountAsync(app, expected);

        await Expect(app.GetByRole(AriaRole.Columnheader, new() { Name = "Churn risk" })).ToBeVisibleAsync();
        await Expect(app.Locator("tbody").GetByText(new Regex(@"\d+% still active")).First).ToBeVisibleAsync();
        await Expect(app.Locator("tbody").GetByText(new Regex(@"^\d+\.\d×$")).First).ToBeVisibleAsync();

        await app.GetByRole(AriaRole.Button, new() { Name = "About these numbers" }).ClickAsync();
        await Expect(app.GetByText(new Regex("^Fitted on .* customers with orders"))).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex(@"^Purchase model (MBG/NBD|Pareto/NBD) \(weeks; ± standard errors\): r \d"))).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex(@"^Why (MBG/NBD|Pareto/NBD): "))).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex(@"^Customers expected to order again: \d+ \(80 % interval \d+–\d+\) in the next 4 weeks"))).ToBeVisibleAsync();
        // One-time buyers have a chance of their own: the column never falls back to "One order".
        await Expect(app.Locator("tbody").GetByText("One order")).ToHaveCountAsync(0);
        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = "Win-back results" })).ToBeVisibleAsync();
        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = "What lost customers bought" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "inactive-customers-own-cycle");
    }

    [Fact]
    public async Task Next_and_previous_walk_the_pages()
    {
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop));
        var (_, app) = await browser.OpenAsync(BrowserApp.ReportShop, "pageSize=25");
        await WaitForCountAsync(app, expected.Count);

        await app.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Expect(app.GetByText($"26-50 of {expected.Count:N0}")).ToBeVisibleAsync();
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(expected.Skip(25).Take(25).Select(e => e.Id));

        await app.GetByRole(AriaRole.Button, new() { Name = "Previous" }).ClickAsync();
        await Expect(app.GetByText($"1-25 of {expected.Count:N0}")).ToBeVisibleAsync();
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(expected.Take(25).Select(e => e.Id));
    }

    [Fact]
    public async Task A_segment_filter_narrows_the_list_lands_in_the_url_and_survives_a_reload()
    {
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop)).Where(e => e.HighValue && e.Weeks >= 8).ToList();
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 2200);

        await app.GetByRole(AriaRole.Button, new() { Name = "Show High value, long inactive" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("segment=high-value-long"));
        await WaitForCountAsync(app, expected.Count);
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(expected.Take(50).Select(e => e.Id));
        await BrowserApp.ScreenshotAsync(page, "inactive-customers-filtered");

        var (_, reloaded) = await browser.OpenAsync(BrowserApp.ReportShop, new Uri(page.Url).Query.TrimStart('?'));
        await WaitForCountAsync(reloaded, expected.Count);
        (await BrowserApp.ShownCustomerIdsAsync(reloaded)).Should().Equal(expected.Take(50).Select(e => e.Id));
    }

    [Fact]
    public async Task The_csv_export_downloads_the_same_rows_as_the_view()
    {
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop)).Where(e => e.HighValue).ToList();
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "highValue=true");
        await WaitForCountAsync(app, expected.Count);

        var download = await page.RunAndWaitForDownloadAsync(() => app.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());

        download.SuggestedFilename.Should().StartWith("inactive-customers-browser-report-").And.EndWith(".csv");
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
        var lines = System.Text.Encoding.UTF8.GetString(bytes.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith("Customer ID,First name,Last name,Email");
        lines.Skip(1).Select(l => long.Parse(l[..l.IndexOf(',')])).Should().Equal(expected.Select(e => e.Id));
    }

    [Fact]
    public async Task Forgetting_long_gone_customers_shows_what_it_would_erase_before_it_is_saved()
    {
        var longGone = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop)).Count(e => e.LastOrderAt < DateTimeOffset.UtcNow.AddMonths(-24));
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=settings", height: 2400);

        await app.GetByLabel("Months").FillAsync("24");

        await Expect(app.GetByText($"{longGone:N0} customers last ordered more than 24 months ago and would be erased")).ToBeVisibleAsync();
        await Expect(app.GetByLabel("Erase customers whose last order is older than")).Not.ToBeCheckedAsync();
    }

    [Fact]
    public async Task Turning_on_tags_asks_shopify_for_the_optional_scope_first()
    {
        var (page, app) = await browser.OpenAsync(BrowserApp.SettingsShop, "tab=settings", height: 2400);
        browser.Shop(BrowserApp.SettingsShop).Installation!.HasScope("write_customers").Should().BeFalse();

        await app.GetByText("Tag inactive customers in Shopify", new() { Exact = true }).ClickAsync();

        await Expect(app.GetByText("WinBack is tagging your inactive customers in Shopify now")).ToBeVisibleAsync();
        browser.Shop(BrowserApp.SettingsShop).Installation!.HasScope("write_customers").Should().BeTrue("App Bridge's scopes.request asked the merchant");
        await Expect(app.GetByText("winback:high-value-recent")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "settings-shopify-tags");
    }

    [Fact]
    public async Task Customers_without_orders_have_their_own_tab()
    {
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 1400);

        await app.GetByRole(AriaRole.Tab, new() { Name = "Customers without orders" }).ClickAsync();

        await Expect(app.GetByText("Why these customers need another approach")).ToBeVisibleAsync();
        await page.WaitForURLAsync(new Regex("tab=without-orders"));
        var expected = browser.Shop(BrowserApp.ReportShop).Customers.Count - Expected.CustomersWithOrders(browser.Shop(BrowserApp.ReportShop));
        await Expect(app.GetByRole(AriaRole.Heading, new() { Name = $"{expected:N0} customers without orders" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Settings_show_what_a_threshold_gives_and_saving_it_changes_the_list()
    {
        var atEight = Expected.InactiveCustomers(browser.Shop(BrowserApp.SettingsShop), thresholdWeeks: 8);
        var (page, app) = await browser.OpenAsync(BrowserApp.SettingsShop, height: 1400);
        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();

        await app.GetByLabel("Inactivity threshold").FillAsync("8");
        await Expect(app.GetByTestId("settings-preview")).ToContainTextAsync($"{atEight.Count:N0} of ");
        await BrowserApp.ScreenshotAsync(page, "settings");
        await app.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(app.GetByText("Settings saved.")).ToBeVisibleAsync();

        await app.GetByRole(AriaRole.Tab, new() { Name = "Inactive customers" }).ClickAsync();
        await WaitForCountAsync(app, atEight.Count);
        (await BrowserApp.ShownCustomerIdsAsync(app)).Should().Equal(atEight.Take(50).Select(e => e.Id));
    }

    [Fact]
    public async Task The_digest_settings_refuse_a_bad_address_and_save_good_ones()
    {
        var (page, app) = await browser.OpenAsync(BrowserApp.SettingsShop, height: 1600);
        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();

        await app.GetByLabel("Send the weekly digest").CheckAsync();
        await app.GetByLabel("Send the digest to").FillAsync("owner@shop.example, not-an-address");
        await app.GetByRole(AriaRole.Button, new() { Name = "Save digest settings" }).ClickAsync();
        await Expect(app.GetByText("These are not email addresses: not-an-address.").First).ToBeVisibleAsync();

        await app.GetByLabel("Send the digest to").FillAsync("owner@shop.example, team@shop.example");
        await app.GetByRole(AriaRole.Button, new() { Name = "Save digest settings" }).ClickAsync();
        await Expect(app.GetByText("Digest settings saved.")).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex("^Next digest: Monday"))).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "settings-digest");
    }

    [Fact]
    public async Task A_view_saved_from_the_report_can_be_scheduled_as_an_email()
    {
        var (page, app) = await browser.OpenAsync(BrowserApp.SettingsShop, "highValue=true&window=last-chance", height: 1800);
        await app.GetByRole(AriaRole.Button, new() { Name = "Save view" }).ClickAsync();
        await app.GetByLabel("View name").FillAsync("Big spenders, long gone");
        await app.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(app.GetByText("Saved the view \"Big spenders, long gone\"")).ToBeVisibleAsync();

        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await app.GetByLabel("How often").SelectOptionAsync("Daily");
        await app.GetByLabel("Send the report to").FillAsync("crm@shop.example");
        await app.GetByRole(AriaRole.Button, new() { Name = "Schedule report" }).ClickAsync();

        await Expect(app.GetByText("Report scheduled.")).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex("^Daily at 08:00 to crm@shop.example · next "))).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "settings-scheduled-reports");
    }

    [Fact]
    public async Task A_google_sheet_is_connected_from_the_settings_and_shows_its_status()
    {
        var spreadsheet = browser.Google.Store.CreateSpreadsheet("Win-back flows", BrowserApp.ServiceAccount);
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 2400);
        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await Expect(app.GetByText($"Share your spreadsheet with {BrowserApp.ServiceAccount} as an editor")).ToBeVisibleAsync();

        await app.GetByLabel("Spreadsheet address").FillAsync($"https://docs.google.com/spreadsheets/d/{spreadsheet.Id}/edit#gid=0");
        await app.GetByRole(AriaRole.Button, new() { Name = "Connect sheet" }).ClickAsync();
        await Expect(app.GetByText("Sheet added. Now show WinBack the spreadsheet is yours (below).")).ToBeVisibleAsync();
        await Expect(app.GetByText("Not verified")).ToBeVisibleAsync();
        var code = await app.GetByText(new Regex("^WINBACK-")).InnerTextAsync();
        browser.Google.Store.TypeAsOwner(spreadsheet, "WinBack verification", "A1", code);
        await app.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(app.GetByText("Verified. The first update has started.")).ToBeVisibleAsync();

        // What the Hangfire worker does with the queued run (tests run no Hangfire server).
        await using (var db = browser.App.CreateDbContext())
        {
            var sync = await db.SheetSyncs.SingleAsync();
            using var scope = browser.App.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<WinBack.Web.Sheets.SheetSyncJob>().RunAsync(sync.ShopId, sync.Id, CancellationToken.None);
        }
        var expected = Expected.InactiveCustomers(browser.Shop(BrowserApp.ReportShop)).Count;
        spreadsheet.Tabs.Single(t => t.Title == "Inactive customers").Rows().Should().HaveCount(expected + 1);

        await page.ReloadAsync();
        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await Expect(app.GetByText(new Regex($"last updated .* with {expected:N0} customers"))).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "settings-google-sheets");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
