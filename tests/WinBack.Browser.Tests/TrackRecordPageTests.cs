using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using WinBack.Web.Predictions;

namespace WinBack.Browser.Tests;

/// <summary>
/// "About these numbers" shows how the purchase model fitted 13 weeks ago did against what customers did since, for a
/// generated shop with three years of buy-till-you-die customers (big and old enough to have a track record).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TrackRecordPageTests(BrowserApp browser)
{
    private const string Shop = "browser-record.myshopify.com";

    [Fact]
    public async Task About_these_numbers_shows_the_track_record_in_sentences_a_chart_and_the_chance_bands_and_later_its_course()
    {
        await browser.InstallAndSyncAsync(Shop, orders: 6_000, seed: 21);
        var latest = await LatestRecordAsync();
        using var json = JsonDocument.Parse(latest.Record!);
        var record = json.RootElement;

        var (page, app) = await browser.OpenAsync(Shop, height: 1500);
        var section = await OpenTrackRecordAsync(app);

        await Expect(section.GetByText(new Regex(@"^We fitted the model to your orders up to \w+ \d+, \d{4} and compared it with what your customers did in the 13 weeks since\.$")))
            .ToBeVisibleAsync();
        await Expect(section.GetByText(record.GetProperty("calibrationSentence").GetString()!, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(section.GetByText(record.GetProperty("rankingSentence").GetString()!, new() { Exact = true })).ToBeVisibleAsync();
        await Expect(section.GetByRole(AriaRole.Img, new() { Name = "Repeat purchases per customer in the 13 weeks after" })).ToBeVisibleAsync();
        await Expect(section.GetByText("Predicted", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(section.GetByText("Actual", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(section.GetByText($"Predicted {AsThePageRounds(latest.PredictedPurchases!.Value):N0} repeat purchases, actual {latest.ActualPurchases:N0}, " +
            $"from {record.GetProperty("customers").GetInt32():N0} customers.")).ToBeVisibleAsync();
        await Expect(section.GetByRole(AriaRole.Rowheader, new() { Name = "under 20%", Exact = true })).ToBeVisibleAsync();
        await Expect(section.GetByRole(AriaRole.Rowheader, new() { Name = "Weeks since last order alone" })).ToBeVisibleAsync();
        await Expect(section.GetByText("Track record over time")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "track-record", section);

        await using (var db = browser.App.CreateDbContext())
        {
            // The week before's check, as the previous weekly refit would have left it (a test cannot wait a week).
            db.ModelTrackRecords.Add(new ModelTrackRecord
            {
                ShopId = latest.ShopId, HoldoutEnd = latest.HoldoutEnd.AddDays(-7), CalibrationEnd = latest.CalibrationEnd.AddDays(-7),
                CheckedAt = latest.CheckedAt.AddDays(-7), ModelName = latest.ModelName, PredictedPurchases = latest.PredictedPurchases,
                ActualPurchases = latest.ActualPurchases, ModelAuc = 0.7, RuleAuc = 0.6, ModelBrier = latest.ModelBrier, RuleBrier = latest.RuleBrier,
                Record = latest.Record,
            });
            await db.SaveChangesAsync();
        }
        await page.ReloadAsync();
        section = await OpenTrackRecordAsync(app);

        await Expect(section.GetByText(new Regex(
            $@"^2 checks from .*: our ranking put a customer who came back above one who did not 70% of the time at the first and {AsThePageRounds(100 * latest.ModelAuc!.Value)}% " +
            $@"at the latest; weeks since last order alone did 60% and {AsThePageRounds(100 * latest.RuleAuc!.Value)}%\.$"))).ToBeVisibleAsync();
        await Expect(section.GetByRole(AriaRole.Img, new() { Name = "Ranking (AUC) at each check" })).ToBeVisibleAsync();
    }

    /// <summary>Rounded as the page's Intl.NumberFormat rounds (halves away from zero).</summary>
    private static double AsThePageRounds(double value) => Math.Round(value, MidpointRounding.AwayFromZero);

    private async Task<ModelTrackRecord> LatestRecordAsync()
    {
        await using var db = browser.App.CreateDbContext();
        var shopId = (await db.Shops.SingleAsync(s => s.Domain == Shop)).Id;
        var latest = await db.ModelTrackRecords.Where(r => r.ShopId == shopId).OrderByDescending(r => r.HoldoutEnd).FirstAsync();
        latest.Record.Should().NotBeNull("the generated shop has three years of orders: {0}", latest.Explanation);
        return latest;
    }

    private static async Task<ILocator> OpenTrackRecordAsync(IFrameLocator app)
    {
        await app.GetByRole(AriaRole.Button, new() { Name = "About these numbers" }).ClickAsync();
        var section = app.GetByRole(AriaRole.Region, new() { Name = "Track record" });
        await Expect(section.GetByRole(AriaRole.Heading, new() { Name = "Track record", Exact = true })).ToBeVisibleAsync(BrowserApp.Loaded);
        return section;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
