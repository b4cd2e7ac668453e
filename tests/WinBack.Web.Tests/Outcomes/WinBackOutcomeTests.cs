using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Digests;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;
using WinBack.Web.Sync;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Outcomes;

/// <summary>
/// Who WinBack listed, and who came back. The digest goes out on Monday 2026-11-23 (New York) through a real SMTP server
/// on loopback; later orders are placed, the clock moves on, and the outcomes are read as the report page reads them.
/// </summary>
public sealed class WinBackOutcomeTests : IAsyncLifetime
{
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(MondayMorning);
    private SmtpSink _smtp = null!;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _app = await WinBackApp.StartAsync("outcomes", _clock, _smtp.Port);
        _shop = await ReportShop.DigestNorthAsync(_app);
        await using var db = _app.CreateDbContext();
        db.DigestSettings.Add(new DigestSettings { ShopId = _shop.ShopId, Enabled = true, Recipients = ["owner@north.example"], Day = DayOfWeek.Monday, Hour = 8 });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _smtp.Dispose();
    }

    private async Task SendDigestAsync(DateOnly week)
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(_shop.ShopId, DigestSchedule.PeriodOf(week), $"job-{week}", CancellationToken.None);
    }

    private async Task OrderAsync(long customerId, DateTimeOffset at, decimal total, bool cancelled = false)
    {
        await using (var db = _app.CreateDbContext())
        {
            db.Orders.Add(new Order
            {
                ShopId = _shop.ShopId, Id = at.ToUnixTimeSeconds(), CustomerId = customerId, Name = $"#{at.ToUnixTimeSeconds()}", ProcessedAt = at, UpdatedAt = at,
                CancelledAt = cancelled ? at : null, CurrentTotal = total, CurrencyCode = "USD",
            });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();
    }

    private async Task<OutcomeReport> OutcomesAsync() =>
        (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<OutcomeReport>("/api/reports/outcomes"))!;

    [Fact]
    public async Task A_spell_listed_again_keeps_its_first_date_gathers_its_channels_and_stays_contacted_once_contacted()
    {
        long customer;
        await using (var db = _app.CreateDbContext()) customer = await db.Customers.Where(c => c.ShopId == _shop.ShopId).MinAsync(c => c.Id);
        var lastOrder = new DateOnly(2026, 8, 1);
        async Task<WinBackListing> ListAsync(ListingChannels channel, bool control)
        {
            using (var scope = _app.Services.CreateScope())
                await scope.ServiceProvider.GetRequiredService<WinBackOutcomes>()
                    .RecordAsync(_shop.ShopId, [new WinBackOutcomes.Listed(customer, lastOrder, "lost", control)], channel, CancellationToken.None);
            await using var db = _app.CreateDbContext();
            return await db.WinBackListings.AsNoTracking().SingleAsync(l => l.ShopId == _shop.ShopId && l.CustomerId == customer);
        }

        var first = await ListAsync(ListingChannels.Sheet, control: true);
        first.Should().BeEquivalentTo(new { Channels = ListingChannels.Sheet, Control = true, FirstListedAt = MondayMorning });
        _clock.Advance(TimeSpan.FromDays(7));
        (await ListAsync(ListingChannels.Sheet, control: true)).Should().BeEquivalentTo(first, "the weekly Sheet naming the same spell again changes nothing");
        (await ListAsync(ListingChannels.Digest, control: false)).Should().BeEquivalentTo(
            new { Channels = ListingChannels.Sheet | ListingChannels.Digest, Control = false, FirstListedAt = MondayMorning }, "a digest named them: they were contacted");
        (await ListAsync(ListingChannels.Sheet, control: true)).Should().BeEquivalentTo(
            new { Channels = ListingChannels.Sheet | ListingChannels.Digest, Control = false, FirstListedAt = MondayMorning }, "once contacted, a spell stays contacted");
    }

    [Fact]
    public async Task A_shop_deleted_while_a_list_of_it_is_recorded_keeps_no_listing_behind()
    {
        long customer;
        await using (var db = _app.CreateDbContext()) customer = await db.Customers.Where(c => c.ShopId == _shop.ShopId).MinAsync(c => c.Id);
        // A Sheet run records who it listed inside its own transaction, which is still open when shop/redact arrives.
        using var scope = _app.Services.CreateScope();
        var runDb = scope.ServiceProvider.GetRequiredService<WinBack.Web.Data.WinBackDbContext>();
        await using var run = await runDb.Database.BeginTransactionAsync();
        await scope.ServiceProvider.GetRequiredService<WinBackOutcomes>()
            .RecordAsync(_shop.ShopId, [new WinBackOutcomes.Listed(customer, new DateOnly(2026, 8, 1), "lost")], ListingChannels.Sheet, CancellationToken.None);

        Task redaction;
        using (var redactScope = _app.Services.CreateScope())
        {
            redaction = redactScope.ServiceProvider.GetRequiredService<WinBack.Web.Privacy.PrivacyRequests>().RedactShopAsync(_shop.Domain, CancellationToken.None);
            await Task.WhenAny(redaction, _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(5)));
            await run.CommitAsync();
            await redaction.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await using var check = _app.CreateDbContext();
        (await check.WinBackListings.CountAsync(l => l.ShopId == _shop.ShopId)).Should().Be(0, "everything of a redacted shop goes, the list recorded as it was deleted too");
    }

    [Fact]
    public async Task Customers_listed_in_a_digest_who_order_again_are_counted_per_window_with_their_revenue()
    {
        await SendDigestAsync(new DateOnly(2026, 11, 23));
        _smtp.Messages().Should().HaveCount(1);
        List<WinBackListing> listings;
        await using (var db = _app.CreateDbContext())
            listings = await db.WinBackListings.AsNoTracking().Where(l => l.ShopId == _shop.ShopId).ToListAsync();
        listings.Select(l => l.CustomerId).Should().Contain([1L, 2L, 7L], "Alice and Bob crossed the threshold this week; Grace is high value at risk")
            .And.NotContain(8L, "Hal ordered three days ago");
        listings.Should().OnlyContain(l => l.Channels == ListingChannels.Digest && !l.Control);

        // A week later the same spells are listed again: still one listing each.
        _clock.SetUtcNow(MondayMorning.AddDays(7));
        await SendDigestAsync(new DateOnly(2026, 11, 30));
        await using (var db = _app.CreateDbContext())
            (await db.WinBackListings.CountAsync(l => l.ShopId == _shop.ShopId)).Should().Be(listings.Count, "an inactive spell listed again is still one listing");

        await OrderAsync(7, MondayMorning.AddDays(12), 400m);            // Grace: back within 30 days
        await OrderAsync(1, MondayMorning.AddDays(80), 60m);             // Alice: back within 90 days only
        await OrderAsync(2, MondayMorning.AddDays(20), 999m, cancelled: true); // Bob: a cancelled order is no comeback
        await OrderAsync(8, MondayMorning.AddDays(5), 30m);              // Hal was never listed
        _clock.SetUtcNow(MondayMorning.AddDays(98)); // Monday 1 March 2027, 09:00 in New York: that week's digest is due

        var all = (await OutcomesAsync()).All;
        all.CameBackSoFar.Should().Be(2);
        all.RevenueSoFar.Should().Be(460m);
        all.Windows.Select(w => (w.Days, w.CameBack, w.Revenue)).Should().Equal((30, 1, 400m), (60, 1, 400m), (90, 2, 460m));
        all.Windows.Should().OnlyContain(w => w.Listed == all.Listed, "every listing is at least 90 days old by now");
        all.Windows[0].Rate.Should().BeApproximately(1.0 / all.Listed, 1e-4);

        // The next digest reports the same results.
        await SendDigestAsync(new DateOnly(2027, 3, 1));
        var text = _smtp.Messages()[^1].Message.TextBody;
        text.Should().Contain("Win-back results").And.Contain($"All listed customers: {all.Listed} listed, 2 came back so far (460.00 USD)")
            .And.Contain($"30 days: 1 of {all.Listed}").And.Contain($"90 days: 2 of {all.Listed}");
        _smtp.Messages()[^1].Message.HtmlBody.Should().Contain("Win-back results").And.Contain("High value, recently inactive");
    }
}
