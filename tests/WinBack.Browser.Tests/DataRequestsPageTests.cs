using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.Browser.Tests;

/// <summary>Shopify's customers/data_request as the merchant meets it: a reminder on the report, the file in the settings.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DataRequestsPageTests(BrowserApp browser)
{
    private const string Shop = "browser-privacy.myshopify.com";

    [Fact]
    public async Task A_data_request_is_announced_on_the_report_listed_in_the_settings_and_downloaded_with_the_session_token()
    {
        await browser.InstallAndSyncAsync(Shop, orders: 60, seed: 12);
        var (page, app) = await browser.OpenAsync(Shop, "tab=settings", height: 2400);
        await Expect(app.GetByText("No customer has asked for their data.")).ToBeVisibleAsync(BrowserApp.Loaded);

        var simulated = browser.Shop(Shop);
        WinBack.ShopifySimulator.Store.SimulatedCustomer customer;
        lock (simulated.Sync) customer = simulated.Customers.First(c => simulated.OrdersOf(c.Id).Any());
        ShopLifecycle.SendCompliance(browser.Simulator.Runtime, simulated, WebhookTopics.CustomersDataRequest, customer.Id).Should().BeTrue();
        await browser.Simulator.Runtime.Webhooks.DrainAsync();
        await browser.App.ProcessWebhooksAsync();

        (page, app) = await browser.OpenAsync(Shop, height: 2400);
        await Expect(app.GetByText("A customer asked for their data")).ToBeVisibleAsync(BrowserApp.Loaded);
        await app.GetByRole(AriaRole.Button, new() { Name = "See data requests" }).ClickAsync();
        await Expect(app.GetByText($"Customer {customer.Id}", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(app.GetByText("Not downloaded yet")).ToBeVisibleAsync();
        await Expect(app.GetByText(new Regex("^Asked on .*\\. Send the file to the customer by "))).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "settings-data-requests");

        var download = await page.RunAndWaitForDownloadAsync(() => app.GetByRole(AriaRole.Button, new() { Name = $"Download the data of customer {customer.Id}" }).ClickAsync());

        download.SuggestedFilename.Should().MatchRegex($"^customer-{customer.Id}-data-request-\\d+\\.json$");
        using var file = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(await download.PathAsync()));
        file.RootElement.GetProperty("customerId").GetInt64().Should().Be(customer.Id);
        file.RootElement.GetProperty("customer").GetProperty("email").GetString().Should().Be(customer.Email);
        await Expect(app.GetByText(new Regex("^Downloaded "))).ToBeVisibleAsync();
        await app.GetByRole(AriaRole.Tab, new() { Name = "Inactive customers" }).ClickAsync();
        await Expect(app.GetByRole(AriaRole.Button, new() { Name = "Export CSV" })).ToBeVisibleAsync();
        await Expect(app.GetByText("A customer asked for their data")).ToHaveCountAsync(0);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
