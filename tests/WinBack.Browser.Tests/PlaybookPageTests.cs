using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using WinBack.Web.Reports;

namespace WinBack.Browser.Tests;

/// <summary>"What to do" beside each segment and on the at-risk and without-orders lists: the steps in order and the offer their weeks away call for.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PlaybookPageTests(BrowserApp browser)
{
    [Fact]
    public async Task Each_segment_and_the_at_risk_list_open_their_playbook()
    {
        var context = (await browser.App.CreateClientFor(BrowserApp.ReportShop).GetFromJsonAsync<ReportContext>("/api/reports/context"))!;
        var priorityOne = context.Playbooks.Single(p => p.Key == "high-value-recent");
        var atRisk = context.Playbooks.Single(p => p.Key == "at-risk");

        var (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, height: 1400, width: 1280);
        var open = app.GetByRole(AriaRole.Button, new() { Name = $"What to do with {priorityOne.Title}" });
        await Expect(open).ToBeVisibleAsync(BrowserApp.Loaded);
        await Expect(app.GetByText(priorityOne.Steps[0].Detail)).Not.ToBeVisibleAsync();
        await open.ClickAsync();
        foreach (var step in priorityOne.Steps) await Expect(app.GetByText(step.Detail)).ToBeVisibleAsync();
        await Expect(app.GetByText($"Offer: {priorityOne.Offer}.", new() { Exact = true })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "playbook");

        (page, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=at-risk", 900, width: 1280);
        await app.GetByRole(AriaRole.Button, new() { Name = $"What to do with {atRisk.Title}" }).ClickAsync(new() { Timeout = BrowserApp.Loaded.Timeout });
        foreach (var step in atRisk.Steps) await Expect(app.GetByText(step.Detail)).ToBeVisibleAsync();

        var firstPurchase = context.Playbooks.Single(p => p.Key == "without-orders");
        (_, app) = await browser.OpenAsync(BrowserApp.ReportShop, "tab=without-orders", 900, width: 1280);
        await app.GetByRole(AriaRole.Button, new() { Name = $"What to do with {firstPurchase.Title}" }).ClickAsync(new() { Timeout = BrowserApp.Loaded.Timeout });
        foreach (var step in firstPurchase.Steps) await Expect(app.GetByText(step.Detail)).ToBeVisibleAsync();
    }
}
