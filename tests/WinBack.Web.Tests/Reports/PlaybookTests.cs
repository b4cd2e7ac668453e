using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Settings;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// What to do with each group: the playbook's offer is sized by the win-back windows its customers are in (PRODUCT.md:
/// 15-20 % in the optimal window, stronger after, 25-30 % at the last chance), and moves with the shop's threshold.
/// </summary>
public sealed class PlaybookTests
{
    [Fact]
    public void At_the_default_threshold_each_segment_offers_what_its_windows_call_for()
    {
        var recent = WinBackPlaybooks.ForSegment(Segment.HighValueRecent, 4);
        var longGone = WinBackPlaybooks.ForSegment(Segment.HighValueLong, 4);

        recent.Offer.Should().Be("15-20 % at 4-5 weeks, 20-25 % at 6-7 weeks", "recently inactive is 4 to 7 weeks away: the optimal window, then the stronger one");
        longGone.Offer.Should().Be("20-25 % at 8-11 weeks, 25-30 % at 12 weeks and more", "long inactive starts at 8 weeks, in the stronger window");
        recent.Steps.Select(s => s.Action).Should().Equal("A personal we-miss-you note", "Early access or a loyalty reminder", "A premium offer");
        recent.Goal.Should().Be(WinBackRules.Info(Segment.HighValueRecent).SuggestedAction, "the playbook details the segment's suggested action");
        WinBackPlaybooks.ForSegment(Segment.LowValueLong, 4).Offer.Should().Be("Free shipping", "few come back this late: the cost per customer stays low");
    }

    [Fact]
    public void The_offers_move_with_the_threshold()
    {
        WinBackPlaybooks.ForSegment(Segment.HighValueRecent, 6).Offer.Should().Be("15-20 % at 6-8 weeks, 20-25 % at 9-11 weeks");
        WinBackPlaybooks.ForSegment(Segment.HighValueLong, 6).Offer.Should().Be("20-25 % at 12-17 weeks, 25-30 % at 18 weeks and more");
        WinBackPlaybooks.AtRisk(6).Goal.Should().Contain("before they cross 6 weeks");
    }

    [Fact]
    public async Task The_page_gets_every_playbook_for_the_shops_own_threshold()
    {
        await using var app = await WinBackApp.StartAsync("playbooks", new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero)));
        var shop = new ReportShop(app, "playbook.myshopify.com").Customer(1, "Ada", "Lovelace");
        shop.Order(1, new DateTime(2026, 9, 1, 10, 0, 0), 40m);
        await shop.SaveAsync();
        var client = app.CreateClientFor(shop.Domain);

        (await client.PutAsJsonAsync("/api/settings", new SettingsDto(6, "percentile", 80, null))).StatusCode.Should().Be(HttpStatusCode.OK);
        var context = (await client.GetFromJsonAsync<ReportContext>("/api/reports/context"))!;

        context.Playbooks.Select(p => p.Key).Should().Equal("high-value-recent", "high-value-long", "low-value-recent", "low-value-long", "at-risk", "without-orders");
        context.Playbooks[0].Offer.Should().Be("15-20 % at 6-8 weeks, 20-25 % at 9-11 weeks", "the shop moved its threshold to 6 weeks");
        context.Playbooks.Should().OnlyContain(p => p.Steps.Count >= 2 && p.Steps.All(s => s.Detail.Length > 0));
    }
}
