using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using WinBack.Web.Digests;
using WinBack.Web.Outcomes;
using WinBack.Web.Sync;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Outcomes;

/// <summary>
/// Lift on a seeded shop with a known effect: 200 contacted "low value, long inactive" customers of whom 60 come back
/// within 30 days (30 %) and 20 more by day 45, against 100 held out for the control group of whom 10 come back within
/// 30 days (10 %) and 5 more by day 45; a small "high value, recently inactive" segment (7 contacted, 3 control) is too
/// small for an interval. Every listing is 100 days old, so every window counts all of them. The expected rates and
/// intervals are computed here from that plan.
/// </summary>
public sealed class LiftTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ListedAt = Now.AddDays(-100);
    private readonly FakeTimeProvider _clock = new(Now);
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    /// <summary>One seeded listing: who, which segment, held out or contacted, and their comeback (days after listing, order total) if any.</summary>
    private sealed record Planned(long Id, string Segment, bool Control, int? BackAfterDays, decimal Total);

    private static readonly Planned[] Plan =
    [
        .. Enumerable.Range(1, 200).Select(i => new Planned(i, "low-value-long", false, i <= 60 ? 10 : i <= 80 ? 45 : null, i <= 60 ? 50m : 30m)),
        .. Enumerable.Range(201, 100).Select(i => new Planned(i, "low-value-long", true, i <= 210 ? 10 : i <= 215 ? 45 : null, i <= 210 ? 50m : 30m)),
        .. Enumerable.Range(301, 7).Select(i => new Planned(i, "high-value-recent", false, i == 301 ? 5 : null, 500m)),
        .. Enumerable.Range(308, 3).Select(i => new Planned(i, "high-value-recent", true, null, 0m)),
    ];

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("lift", _clock);
        var shop = new ReportShop(_app, "lift.myshopify.com");
        foreach (var p in Plan) shop.Customer(p.Id, $"First{p.Id}", $"Last{p.Id}").Order(p.Id, new DateTime(2026, 3, 1, 12, 0, 0), 40m);
        _shop = await shop.SaveAsync();
        await using (var db = _app.CreateDbContext())
        {
            foreach (var p in Plan)
            {
                db.WinBackListings.Add(new WinBackListing
                {
                    ShopId = _shop.ShopId, CustomerId = p.Id, LastOrderOn = new DateOnly(2026, 3, 1), FirstListedAt = ListedAt, Segment = p.Segment, Control = p.Control,
                    Channels = p.Control ? ListingChannels.Sheet : ListingChannels.Digest | ListingChannels.Sheet,
                });
                if (p.BackAfterDays is { } days)
                    db.Orders.Add(new Order
                    {
                        ShopId = _shop.ShopId, Id = 100_000 + p.Id, CustomerId = p.Id, Name = $"#B{p.Id}", ProcessedAt = ListedAt.AddDays(days), UpdatedAt = ListedAt.AddDays(days),
                        CurrentTotal = p.Total, CurrencyCode = "USD",
                    });
            }
            // A cancelled order is no comeback, not even for the control group.
            db.Orders.Add(new Order { ShopId = _shop.ShopId, Id = 200_250, CustomerId = 250, Name = "#C250", ProcessedAt = ListedAt.AddDays(3), UpdatedAt = ListedAt.AddDays(3), CancelledAt = ListedAt.AddDays(4), CurrentTotal = 999m, CurrencyCode = "USD" });
            db.OrderLineItems.AddRange(
                new OrderLineItem { ShopId = _shop.ShopId, OrderId = 100_061, Id = 1, Title = "Blue mug", Quantity = 2 },
                new OrderLineItem { ShopId = _shop.ShopId, OrderId = 100_061, Id = 2, Title = "Green tea", Quantity = 1 });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<OutcomeReport> OutcomesAsync() =>
        (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<OutcomeReport>("/api/reports/outcomes"))!;

    /// <summary>The test's own arithmetic: rate difference and revenue-per-customer difference with 95 % normal intervals.</summary>
    private static (double Rate, double RateMargin, double Revenue, double RevenueMargin, int N1, int X1, int N0, int X0) Expected(IEnumerable<Planned> plan, int days)
    {
        var list = plan.ToList();
        double[] RevenueOf(bool control) => [.. list.Where(p => p.Control == control).Select(p => p.BackAfterDays <= days ? (double)p.Total : 0)];
        var (contacted, control) = (RevenueOf(false), RevenueOf(true));
        int n1 = contacted.Length, n0 = control.Length, x1 = contacted.Count(r => r > 0), x0 = control.Count(r => r > 0);
        double p1 = (double)x1 / n1, p0 = (double)x0 / n0;
        static double Variance(double[] xs) => xs.Sum(x => (x - xs.Average()) * (x - xs.Average())) / (xs.Length - 1);
        return (p1 - p0, 1.96 * Math.Sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0),
            contacted.Average() - control.Average(), 1.96 * Math.Sqrt(Variance(contacted) / n1 + Variance(control) / n0), n1, x1, n0, x0);
    }

    [Fact]
    public async Task Lift_compares_contacted_and_control_reactivation_and_revenue_per_window_with_a_95_percent_interval()
    {
        var lift = (await OutcomesAsync()).Lift;

        lift.All.Windows.Select(w => w.Days).Should().Equal(30, 60, 90);
        foreach (var window in lift.All.Windows)
        {
            var expected = Expected(Plan, window.Days);
            (window.Contacted.Listed, window.Contacted.CameBack, window.Control.Listed, window.Control.CameBack).Should().Be((expected.N1, expected.X1, expected.N0, expected.X0));
            window.TooSmall.Should().BeNull();
            window.RateDifference!.Estimate.Should().BeApproximately(expected.Rate, 1e-4);
            window.RateDifference.Margin.Should().BeApproximately(expected.RateMargin, 2e-4);
            window.RateDifference.Lower.Should().BeApproximately(expected.Rate - expected.RateMargin, 2e-4);
            window.RevenueDifference!.Estimate.Should().BeApproximately(expected.Revenue, 0.01);
            window.RevenueDifference.Margin.Should().BeApproximately(expected.RevenueMargin, 0.02);
        }
        var thirty = lift.All.Windows[0];
        (thirty.Contacted.Rate, thirty.Control.Rate).Should().Be((Math.Round(61 / 207.0, 4), Math.Round(10 / 103.0, 4)));
        thirty.RateDifference!.Lower.Should().BeLessThan(0.2).And.BeGreaterThan(0, "the seeded effect (about 20 points) is inside the interval, and clearly above zero");
        thirty.RateDifference.Upper.Should().BeGreaterThan(0.2);

        var big = lift.Segments.Single(s => s.Segment == "low-value-long").Windows[1];
        var expectedBig = Expected(Plan.Where(p => p.Segment == "low-value-long"), 60);
        big.RateDifference!.Estimate.Should().BeApproximately(expectedBig.Rate, 1e-4, "80 of 200 against 15 of 100");
        big.RateDifference.Estimate.Should().BeApproximately(0.25, 1e-4);

        var small = lift.Segments.Single(s => s.Segment == "high-value-recent").Windows[2];
        small.RateDifference.Should().BeNull("7 contacted and 3 held out are too few for an interval");
        small.TooSmall.Should().StartWith("Not enough customers yet for a reliable comparison: each group needs 30 customers");

        var ninety = Expected(Plan, 90);
        lift.HeadlineDays.Should().Be(90, "the longest window with an interval");
        lift.Headline.Should().Be(
            $"Win-back brought back {ninety.Rate * 100:0.0} % more customers (± {ninety.RateMargin * 100:0.0} %) than the control group over 90 days: " +
            $"{100.0 * ninety.X1 / ninety.N1:0.0} % of contacted customers ordered again, against {100.0 * ninety.X0 / ninety.N0:0.0} % of the control group.");
        lift.Method.Should().Contain("95 % confidence interval").And.Contain("normal approximation");
    }

    [Fact]
    public async Task The_outcomes_table_counts_only_contacted_customers_and_the_digest_carries_the_lift_line()
    {
        var outcomes = await OutcomesAsync();
        outcomes.All.Listed.Should().Be(207, "the control group's listings are compared, not counted as contacted");
        outcomes.All.Windows[0].CameBack.Should().Be(61);

        using var scope = _app.Services.CreateScope();
        var content = await scope.ServiceProvider.GetRequiredService<DigestComposer>().ComposeAsync(_shop.ShopId, DigestSchedule.PeriodOf(new DateOnly(2026, 12, 1)), CancellationToken.None);
        var email = DigestEmail.Build(content, new MailboxAddress("WinBack", "digest@winback.test"), ["owner@lift.example"], "id@winback.test", null);
        email.TextBody.Should().Contain($"Measured lift: {outcomes.Lift.Headline}");
        email.HtmlBody.Should().Contain("Measured lift:").And.Contain("than the control group over 90 days");
    }

    [Fact]
    public async Task The_came_back_list_shows_who_returned_when_after_which_listing_and_what_they_bought_a_page_at_a_time()
    {
        var client = _app.CreateClientFor(_shop.Domain);
        var first = (await client.GetFromJsonAsync<CameBackPage>("/api/reports/outcomes/came-back"))!;
        var comebacks = Plan.Count(p => p.BackAfterDays is not null);
        first.TotalCount.Should().Be(comebacks, "the cancelled order of customer 250 is no comeback");
        first.Customers.Should().HaveCount(CameBackList.PageSize);
        first.Customers.Select(c => c.CameBackAt).Should().BeInDescendingOrder("the latest comeback first");

        var mugBuyer = first.Customers.Single(c => c.CustomerId == 61);
        mugBuyer.Should().BeEquivalentTo(new
        {
            Name = "First61 Last61", Email = "first6161@example.com", Segment = "low-value-long", ListedAt = ListedAt, Channels = new[] { "Digest", "Google Sheet" },
            Control = false, CameBackAt = ListedAt.AddDays(45), DaysAfterListing = 45, OrderName = "#B61", OrderTotal = 30m, Products = new[] { "Blue mug", "Green tea" },
        });
        first.Customers.Where(c => c.Control).Should().OnlyContain(c => c.CustomerId > 200 && c.Channels.SequenceEqual(new[] { "Google Sheet" }), "control customers are marked, with the channel they were held out of");

        var last = (await client.GetFromJsonAsync<CameBackPage>($"/api/reports/outcomes/came-back?page={(comebacks + CameBackList.PageSize - 1) / CameBackList.PageSize}"))!;
        last.Customers.Should().HaveCount(comebacks % CameBackList.PageSize);
        last.TotalCount.Should().Be(comebacks);

        var refused = await client.GetAsync("/api/reports/outcomes/came-back?page=0");
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Pages are numbered from 1.");
    }
}
