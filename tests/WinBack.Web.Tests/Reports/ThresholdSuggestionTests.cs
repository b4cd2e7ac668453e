using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Settings;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// The suggested threshold on generated shops whose buying cycle is known, so the right answer is too: the threshold must
/// let a customer on their normal rhythm come back before being listed (90 % of repeat purchases), and no more.
/// </summary>
public sealed class ThresholdSuggestionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 17, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => _app = await WinBackApp.StartAsync("suggestion", _clock);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A shop of repeat buyers per cycle, each with the cycle's number of orders (eight unless said), gaps drawn uniformly from the cycle's range.</summary>
    private async Task<ThresholdSuggestion> SuggestionForAsync(string name, params (int Customers, int MinGap, int MaxGap, int Orders)[] cycles)
    {
        var random = new Random(name.Sum(c => c));
        var shop = new ReportShop(_app, $"{name}.myshopify.com");
        var id = 1L;
        foreach (var (customers, minGap, maxGap, orders) in cycles)
        {
            for (var c = 0; c < customers; c++, id++)
            {
                shop.Customer(id, "Buyer", $"{id}");
                var day = new DateTime(2023, 1, 2, 10, 0, 0).AddDays(random.Next(0, 30));
                for (var n = 0; n < orders; n++, day = day.AddDays(random.Next(minGap, maxGap + 1))) shop.Order(id, day, 20m);
            }
        }
        // A one-time buyer and a same-day second order say nothing about the cycle.
        shop.Customer(id, "Once", "Only").Order(id, new DateTime(2026, 1, 5, 10, 0, 0), 20m).Order(id, new DateTime(2026, 1, 5, 18, 0, 0), 5m);
        await shop.SaveAsync();
        return (await _app.CreateClientFor(shop.Domain).GetFromJsonAsync<SettingsPage>("/api/settings"))!.Suggestion;
    }

    [Fact]
    public async Task A_weekly_shop_is_told_two_weeks()
    {
        var suggestion = await SuggestionForAsync("weekly", (60, 6, 8, 8));

        suggestion.Should().BeEquivalentTo(new { GapDays = 8, Percentile = 90, RepeatCustomers = 60, SuggestedThresholdWeeks = 2 });
        suggestion.Explanation.Should().Be("90 % of your repeat purchases come within 8 days of the customer's previous order " +
            "(each of your 60 repeat customers counted once), so at 2 weeks a customer is listed only when later than 90 % of your returns.");
    }

    [Fact]
    public async Task A_shop_reordering_every_33_days_is_told_six_weeks_not_five()
    {
        var suggestion = await SuggestionForAsync("monthly", (80, 28, 38, 8));

        // The old median rule said ceil(33 / 7) = 5 weeks: every customer whose gap is 36 days or more was listed on the way to a normal reorder.
        suggestion.SuggestedThresholdWeeks.Should().Be(6);
        suggestion.GapDays.Should().BeInRange(36, 38);
    }

    [Fact]
    public async Task A_seasonal_shop_buying_twice_a_year_is_told_27_weeks()
    {
        var suggestion = await SuggestionForAsync("seasonal", (40, 173, 187, 8));

        suggestion.SuggestedThresholdWeeks.Should().Be(27, "90 % of the gaps are within 183 to 189 days");
    }

    [Fact]
    public async Task A_mixed_shop_follows_its_monthly_buyers_however_often_the_weekly_ones_order()
    {
        // Half the customers buy monthly (28-32 days), so the threshold must let them come back: 5 weeks. Counted gap by
        // gap, the weekly buyers' 79 gaps each would be 92 % of all gaps and the answer 2 weeks, listing every monthly buyer.
        var suggestion = await SuggestionForAsync("mixed", (50, 6, 8, 80), (50, 28, 32, 8));

        suggestion.Should().BeEquivalentTo(new { RepeatCustomers = 100, SuggestedThresholdWeeks = 5 });
    }

    [Fact]
    public void A_customer_back_after_exactly_the_gap_was_never_listed()
    {
        // 35 days away: 34 the day before, 4 whole weeks, still active at 5.
        ThresholdSuggestion.WeeksFor(35).Should().Be(5);
        ThresholdSuggestion.WeeksFor(36).Should().Be(6);
        ThresholdSuggestion.WeeksFor(1).Should().Be(1);
        ThresholdSuggestion.WeeksFor(1000).Should().Be(104, "the threshold's own maximum");
    }
}
