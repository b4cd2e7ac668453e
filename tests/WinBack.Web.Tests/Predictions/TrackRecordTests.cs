using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Predictions;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// Each refit also checks the purchase model on the shop's own past: fitted on the orders up to 13 weeks ago, against what
/// customers did since. A generated shop (three years of customers drawn from a buy-till-you-die process) has a record;
/// a shop with a few weeks of orders is told it is too young.
/// </summary>
public sealed class TrackRecordTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("track-record");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<ModelStatus> SyncRefitAndReadAsync(string domain, int orders)
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop(domain, Orders: orders, Seed: 21));
        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(shopId, CancellationToken.None));
        return (await _app.CreateClientFor(domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model"))!;
    }

    [Fact]
    public async Task A_refit_keeps_a_track_record_with_predicted_and_actual_returns_and_sentences_a_merchant_reads()
    {
        var status = await SyncRefitAndReadAsync("record.myshopify.com", 6_000);

        var record = status.TrackRecord!.Record!.Value;
        status.TrackRecord.Explanation.Should().BeNull();
        var predicted = record.GetProperty("predictedPurchases").GetDouble();
        var actual = record.GetProperty("actualPurchases").GetInt32();
        actual.Should().BePositive();
        predicted.Should().BeApproximately(actual, actual * 0.25, "the shop's customers follow the model the refit fits");
        record.GetProperty("holdoutWeeks").GetDouble().Should().Be(13);
        record.GetProperty("byPastPurchases").EnumerateArray().Sum(g => g.GetProperty("customers").GetInt32())
            .Should().Be(record.GetProperty("customers").GetInt32());
        record.GetProperty("model").GetProperty("auc").GetDouble().Should().BeInRange(0.6, 1, "the model ranks returning customers above the others");
        record.GetProperty("calibrationSentence").GetString().Should().MatchRegex(@"^Of customers we gave under 20 % chance of ordering within 13 weeks, \d+ % did;");
        record.GetProperty("rankingSentence").GetString().Should().Contain("weeks since last order alone did");
        status.TrackRecord.History.Should().ContainSingle().Which.ActualPurchases.Should().Be(actual);

        // The model that scores the shop is the one that predicted these weeks best, and the panel says so.
        status.Fit!.Purchases.Choice.Should().StartWith($"{status.Fit.Purchases.Model} predicted who ordered in your last 13 weeks best: Brier score");
        record.GetProperty("modelName").GetString().Should().Be(status.Fit.Purchases.Model);
    }

    [Fact]
    public async Task A_shop_with_only_a_few_weeks_of_orders_is_told_why_it_has_no_record_yet()
    {
        var shop = new WinBack.Web.Tests.Reports.ReportShop(_app, "young.myshopify.com", timezone: "UTC");
        var today = DateTime.UtcNow.Date.AddHours(10);
        for (var id = 1; id <= 30; id++)
        {
            shop.Customer(id, $"New{id}", "Customer");
            for (var k = 0; k < 1 + id % 3; k++) shop.Order(id, today.AddDays(-35 + id + 3 * k), 20m);
        }
        var saved = await shop.SaveAsync();
        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(saved.ShopId, CancellationToken.None));

        var status = (await _app.CreateClientFor(saved.Domain).GetFromJsonAsync<ModelStatus>("/api/predictions/model"))!;
        status.Fit.Should().NotBeNull();
        status.TrackRecord!.Record.Should().BeNull();
        status.TrackRecord.Explanation.Should().Contain("13 weeks");
        status.TrackRecord.History.Should().BeEmpty();
    }
}
