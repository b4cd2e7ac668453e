using System.Net.Http.Json;
using Microsoft.Playwright;
using WinBack.Web.Reports;

namespace WinBack.Browser.Tests;

/// <summary>Retention health, the data window, the first import, "Sync again" and managing saved views, in a real Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RetentionPageTests(BrowserApp browser)
{
    private async Task<InactiveSummary> SummaryAsync(string domain) =>
        (await browser.App.CreateClientFor(domain).GetFromJsonAsync<InactiveSummary>("/api/reports/inactive/summary"))!;

    [Fact]
    public async Task The_weekly_series_runs_from_the_first_order_and_the_page_states_its_trend()
    {
        var summary = await SummaryAsync(BrowserApp.ReportShop);
        summary.RetentionHistory.Should().HaveCountGreaterThan(8, "the generated shop's orders go back well over eight weeks");
        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 1800);

        var heading = app.GetByRole(AriaRole.Heading, new() { Name = "Active and inactive customers, week by week" });
        var card = app.Locator("div").Filter(new() { Has = heading }).Filter(new() { HasText = "Each bar is a week" }).Last;
        await Expect(card.GetByText(summary.RetentionTrend!.Sentence)).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(card.GetByText("Each bar is a week as of its last day, with your threshold of 4 weeks; this week is as of today.")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "retention-series", card);
    }

    [Fact]
    public async Task Without_read_all_orders_the_page_says_what_is_missing_beside_the_figures_and_sync_again_starts_an_import()
    {
        const string domain = "browser-window.myshopify.com";
        await browser.InstallAndSyncAsync(domain, orders: 400, seed: 31, scopes: ["read_customers", "read_orders"]);
        var window = (await SummaryAsync(domain)).DataWindow;
        var (page, app) = await browser.OpenAsync(domain, height: 1400);

        var banner = app.Locator(".Polaris-Banner").Filter(new() { HasText = "WinBack sees only the last 60 days of your orders" });
        await Expect(banner.GetByText(window.Missing!)).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(banner.GetByText(window.Consequence!)).ToBeVisibleAsync();
        await Expect(banner.GetByText(window.HowToAsk!)).ToBeVisibleAsync();
        await Expect(app.GetByText($"Counts orders since {window.OrdersSince:yyyy-MM-dd} only.", new() { Exact = false }).First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "data-window");

        await app.GetByRole(AriaRole.Tab, new() { Name = "Settings" }).ClickAsync();
        await app.GetByRole(AriaRole.Button, new() { Name = "Sync again" }).ClickAsync();
        await Expect(app.GetByText("The import started again.", new() { Exact = false })).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(app.GetByText("WinBack is importing your customers and orders")).ToBeVisibleAsync(BrowserApp.Loaded);
    }

    [Fact]
    public async Task Before_the_first_import_the_figures_are_placeholders_not_zeros()
    {
        const string domain = "browser-new.myshopify.com";
        await browser.InstallAndSyncAsync(domain, orders: 50, seed: 32, sync: false);

        var (_, app) = await browser.OpenAsync(domain);

        await Expect(app.GetByText("WinBack is about to import your customers and orders")).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(app.GetByText("Counted once your data is imported.")).ToHaveCountAsync(4);
        await Expect(app.GetByText("Your inactive customers are listed here as soon as the import is done.")).ToBeVisibleAsync();
        await Expect(app.GetByText("No inactive customers")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_saved_view_is_renamed_and_deleted_from_the_report()
    {
        var name = $"Rename me {Guid.NewGuid():N}"[..16];
        var renamed = $"Renamed {Guid.NewGuid():N}"[..14];
        var client = browser.App.CreateClientFor(BrowserApp.ReportShop);
        (await client.PutAsJsonAsync("/api/views", new SaveViewRequest(name, "window=optimal"))).EnsureSuccessStatusCode();
        var (_, app) = await browser.OpenAsync(BrowserApp.ReportShop);
        var savedViews = app.GetByRole(AriaRole.Combobox, new() { Name = "Saved views" });
        await Expect(savedViews.Locator("option", new() { HasText = name })).ToHaveCountAsync(1, new() { Timeout = 15_000 });

        await app.GetByRole(AriaRole.Button, new() { Name = "Manage views" }).ClickAsync();
        await app.GetByLabel($"Name of \"{name}\"").FillAsync(renamed);
        await app.GetByRole(AriaRole.Button, new() { Name = $"Rename {name}", Exact = true }).ClickAsync();

        await Expect(savedViews.Locator("option", new() { HasText = renamed })).ToHaveCountAsync(1);
        await Expect(savedViews.Locator("option", new() { HasText = name })).ToHaveCountAsync(0);
        (await client.GetFromJsonAsync<List<SavedViewDto>>("/api/views"))!.Should().Contain(v => v.Name == renamed && v.Query == "window=optimal");

        await app.GetByRole(AriaRole.Button, new() { Name = $"Delete {renamed}", Exact = true }).ClickAsync();
        await Expect(savedViews.Locator("option", new() { HasText = renamed })).ToHaveCountAsync(0);
        (await client.GetFromJsonAsync<List<SavedViewDto>>("/api/views"))!.Should().NotContain(v => v.Name == renamed);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
