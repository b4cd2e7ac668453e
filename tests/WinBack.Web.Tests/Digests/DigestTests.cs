using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using WinBack.Web.Digests;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Digests;

/// <summary>The weekly digest against a real SMTP server on loopback (Postfix's smtp-sink), on a fake clock.</summary>
public sealed class DigestTests : IAsyncLifetime
{
    // Monday 2026-11-23, 09:00 in New York: this week's digest (Monday 08:00) is due.
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(MondayMorning);
    private SmtpSink _smtp = null!;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;
    private static readonly string[] Recipients = ["owner@north.example", "marketing@north.example"];

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _app = await WinBackApp.StartAsync("digests", _clock, _smtp.Port);
        _shop = await ReportShop.DigestNorthAsync(_app);
        await ConfigureDigestAsync(_shop.ShopId, "America/New_York");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _smtp.Dispose();
    }

    private async Task ConfigureDigestAsync(long shopId, string timezone, DayOfWeek day = DayOfWeek.Monday, int hour = 8)
    {
        await using var db = _app.CreateDbContext();
        db.DigestSettings.Add(new DigestSettings { ShopId = shopId, Enabled = true, Recipients = [.. Recipients], Day = day, Hour = hour });
        await db.SaveChangesAsync();
    }

    private async Task<IReadOnlyList<DueEmail>> DueAsync()
    {
        using var scope = _app.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DueAsync(CancellationToken.None);
    }

    private async Task RunJobAsync(long shopId, string period, string claimant)
    {
        using var scope = _app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(shopId, period, claimant, CancellationToken.None);
    }

    /// <summary>What Hangfire would do with the dispatcher's jobs: run each (as another worker would, a second time for some).</summary>
    private async Task DispatchAndRunAsync(int times = 1)
    {
        foreach (var due in await DueAsync())
        {
            for (var i = 0; i < times; i++)
            {
                using var scope = _app.Services.CreateScope();
                var claimant = Guid.NewGuid().ToString("N");
                var run = due.Kind switch
                {
                    DigestDelivery.WeeklyDigest => scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(due.ShopId, due.Period, claimant, CancellationToken.None),
                    DigestDelivery.HighValueAlert => scope.ServiceProvider.GetRequiredService<AlertJob>().RunAsync(due.ShopId, due.Period, claimant, CancellationToken.None),
                    _ => scope.ServiceProvider.GetRequiredService<ScheduledReportJob>().RunAsync(due.ShopId, due.ReportId!.Value, due.Period, claimant, CancellationToken.None),
                };
                await run;
            }
        }
    }

    [Fact]
    public async Task The_digest_reaches_exactly_the_configured_recipients_with_both_parts_and_the_right_customers()
    {
        (await DueAsync()).Should().Equal(new DueEmail(DigestDelivery.WeeklyDigest, _shop.ShopId, "2026-W48"));

        await DispatchAndRunAsync();

        var received = _smtp.Messages().Should().ContainSingle().Subject;
        received.EnvelopeRecipients.Should().BeEquivalentTo(Recipients, "customers' emails are in the digest, so it goes to the merchant's list only");
        var message = received.Message;
        message.Subject.Should().Be("north: 5 inactive customers, 2 new this week", "Alice and Bob crossed four weeks since Sunday");
        var text = message.TextBody;
        var html = message.HtmlBody;
        text.Should().NotBeNullOrEmpty();
        html.Should().NotBeNullOrEmpty();
        message.BodyParts.OfType<TextPart>().Select(p => p.ContentType.MimeType).Should().Contain(["text/plain", "text/html"]);
        foreach (var part in new[] { text, html })
        {
            part.Should().Contain("Priority 1: High value, recently inactive").And.Contain("Grace Green", "high value and 7 weeks away: the group the page puts first");
            part.Should().NotContain("Dan Dyer", "high value but 11 weeks away is priority 2, not the digest's list");
            part.Should().NotContain("test digest", "this is the real one");
            part.Should().Contain("Alice Archer").And.Contain("Bob Baker", "they went inactive this week");
            part.Should().NotContain("Hal Hughes", "he ordered two days ago");
            part.Should().Contain("5,350.00 USD").And.Contain("Personal outreach, a premium offer, maybe a call.");
            part.Should().Contain("https://admin.shopify.com/store/north/apps/test-api-key?segment=high-value-recent");
        }
        html.Should().NotContain("<img", "no external images");
        await using var db = _app.CreateDbContext();
        var delivery = await db.DigestDeliveries.SingleAsync();
        (delivery.Status, delivery.Period, delivery.MessageId).Should().Be((DeliveryStatus.Sent, "2026-W48", message.MessageId!));
    }

    [Fact]
    public async Task The_digest_says_what_to_do_with_each_segment_with_the_offer_its_weeks_call_for()
    {
        await DispatchAndRunAsync();

        var message = _smtp.Messages().Should().ContainSingle().Subject.Message;
        foreach (var part in new[] { message.TextBody, message.HtmlBody })
        {
            part.Should().Contain("What to do: A personal we-miss-you note, then early access or a loyalty reminder, then a premium offer. " +
                                  "Offer: 15-20 % at 4-5 weeks, 20-25 % at 6-7 weeks.", "priority 1 is 4 to 7 weeks away at the shop's 4-week threshold");
            part.Should().Contain("What to do: A feedback request, then a strong discount, then several touch points. " +
                                  "Offer: 20-25 % at 8-11 weeks, 25-30 % at 12 weeks and more.");
        }
    }

    [Fact]
    public async Task A_second_run_of_the_same_week_sends_nothing()
    {
        await DispatchAndRunAsync();

        (await DueAsync()).Should().BeEmpty();
        await RunJobAsync(_shop.ShopId, "2026-W48", claimant: "another-server");
        _clock.Advance(TimeSpan.FromDays(1));
        await DispatchAndRunAsync();

        _smtp.Messages().Should().ContainSingle();
    }

    [Fact]
    public async Task Two_workers_racing_for_the_same_week_send_one_digest()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => RunJobAsync(_shop.ShopId, "2026-W48", $"worker-{i}"))));

        _smtp.Messages().Should().ContainSingle();
    }

    [Fact]
    public async Task An_attempt_that_never_recorded_how_it_ended_is_sent_again_under_its_message_id_half_an_hour_later()
    {
        await using (var db = _app.CreateDbContext())
        {
            db.DigestDeliveries.Add(new DigestDelivery
            {
                ShopId = _shop.ShopId, Kind = DigestDelivery.WeeklyDigest, Period = "2026-W48", Status = DeliveryStatus.Sending,
                MessageId = "crashed-attempt@winback.test", ClaimedBy = "job-17", ClaimedAt = MondayMorning, Attempts = 1,
                AttemptStartedAt = MondayMorning, GiveUpAt = MondayMorning.AddDays(2),
            });
            await db.SaveChangesAsync();
        }

        await DispatchAndRunAsync();
        await RunJobAsync(_shop.ShopId, "2026-W48", claimant: "job-17");
        _smtp.Messages().Should().BeEmpty("the attempt may still be under way, and a Hangfire retry of it knows no more than another job");
        _clock.Advance(new OutboxOptions().UnconfirmedAfter);
        await DispatchAndRunAsync();

        _smtp.Messages().Should().ContainSingle().Which.Message.MessageId.Should().Be("crashed-attempt@winback.test");
        await using var check = _app.CreateDbContext();
        (await check.DigestDeliveries.SingleAsync()).Attempts.Should().Be(2);
    }

    /// <summary>The high-value alert on, the weekly digest off.</summary>
    private async Task AlertsOnlyAsync()
    {
        await using var db = _app.CreateDbContext();
        await db.DigestSettings.Where(s => s.ShopId == _shop.ShopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.AlertsEnabled, true).SetProperty(x => x.Enabled, false));
    }

    /// <summary>Ivy Irwin, a big spender (900) whose only order was four weeks ago: she crosses the threshold today.</summary>
    private async Task AddIvyAsync()
    {
        await using (var db = _app.CreateDbContext())
        {
            db.Customers.Add(new Web.Sync.Customer { ShopId = _shop.ShopId, Id = 9, FirstName = "Ivy", LastName = "Irwin", Email = "ivy9@example.com" });
            db.Orders.Add(new Web.Sync.Order { ShopId = _shop.ShopId, Id = 9009, CustomerId = 9, Name = "#9009", CurrentTotal = 900m, CurrencyCode = "USD",
                ProcessedAt = new DateTimeOffset(2026, 10, 26, 14, 0, 0, TimeSpan.Zero), UpdatedAt = MondayMorning });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();
    }

    [Fact]
    public async Task The_high_value_alert_lists_who_crossed_the_threshold_today_at_most_once_a_day()
    {
        await AlertsOnlyAsync();
        await AddIvyAsync();

        (await DueAsync()).Should().Equal(new DueEmail(DigestDelivery.HighValueAlert, _shop.ShopId, "2026-11-23"));
        await DispatchAndRunAsync(times: 2);

        var alert = _smtp.Messages().Should().ContainSingle().Subject.Message;
        alert.Subject.Should().Be("north: 1 high-value customer just reached 4 weeks without an order");
        alert.TextBody.Should().Contain("Ivy Irwin").And.NotContain("Bob Baker", "Bob crossed today too, but he is not high value");
        (await DueAsync()).Should().BeEmpty("one alert a day");
    }

    [Fact]
    public async Task A_day_on_which_no_high_value_customer_crossed_is_asked_once_not_every_quarter_hour()
    {
        await AlertsOnlyAsync();

        (await DueAsync()).Should().Equal(new DueEmail(DigestDelivery.HighValueAlert, _shop.ShopId, "2026-11-23"));
        await DispatchAndRunAsync();
        _smtp.Messages().Should().BeEmpty("Bob crossed today, but he is not high value");

        _clock.Advance(TimeSpan.FromMinutes(15));
        (await DueAsync()).Should().BeEmpty("the day's alert found nobody to tell about; the dispatcher does not queue it again");

        // Later that day the shop's data changes (a late import, a reconciliation): Ivy, a big spender, last bought four
        // weeks ago. The day is asked again, and she is on the alert.
        await AddIvyAsync();
        (await DueAsync()).Should().Equal(new DueEmail(DigestDelivery.HighValueAlert, _shop.ShopId, "2026-11-23"));
        await DispatchAndRunAsync();
        _smtp.Messages().Should().ContainSingle().Which.Message.TextBody.Should().Contain("Ivy Irwin");
        (await DueAsync()).Should().BeEmpty("one alert a day");

        _clock.Advance(TimeSpan.FromDays(1));
        (await DueAsync()).Should().Equal([new DueEmail(DigestDelivery.HighValueAlert, _shop.ShopId, "2026-11-24")], "the next day is asked again");
    }

    [Fact]
    public async Task A_scheduled_report_sends_its_view_once_per_period_with_the_csv()
    {
        await using (var db = _app.CreateDbContext())
        {
            var view = new Web.Reports.SavedView { ShopId = _shop.ShopId, Name = "Lapsed big spenders", Query = "highValue=true", CreatedAt = MondayMorning, UpdatedAt = MondayMorning };
            db.SavedViews.Add(view);
            await db.DigestSettings.Where(s => s.ShopId == _shop.ShopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Enabled, false));
            await db.SaveChangesAsync();
            var client = _app.CreateClientFor(_shop.Domain);
            var created = await client.PostAsJsonAsync("/api/scheduled-reports", new ScheduleReportRequest(view.Id, "daily", "Monday", 7, ["crm@north.example"]));
            created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
            var invalid = await client.PostAsJsonAsync("/api/scheduled-reports", new ScheduleReportRequest(view.Id, "hourly", "Monday", 7, []));
            invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        await DispatchAndRunAsync(times: 2);
        _clock.Advance(TimeSpan.FromHours(3));
        await DispatchAndRunAsync();

        var report = _smtp.Messages().Should().ContainSingle().Subject;
        report.EnvelopeRecipients.Should().Equal("crm@north.example");
        report.Message.Subject.Should().Be("north: Lapsed big spenders: 2 customers");
        report.Message.HtmlBody.Should().Contain("Grace Green").And.Contain("Dan Dyer");
        var csv = report.Message.Attachments.OfType<MimePart>().Single();
        using var content = new MemoryStream();
        await csv.Content!.DecodeToAsync(content);
        System.Text.Encoding.UTF8.GetString(content.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(',')[1]).Should().Equal(["Dan", "Grace"], "the view's order: longest away first");

        _clock.Advance(TimeSpan.FromDays(1));
        await DispatchAndRunAsync();
        _smtp.Messages().Should().HaveCount(2, "the next day is the next period");
        var listed = (await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<List<ScheduledReportDto>>("/api/scheduled-reports"))!;
        listed.Should().ContainSingle().Which.NextAt.Should().Be(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), "tomorrow 07:00 in New York");
    }

    [Fact]
    public async Task An_uninstalled_shop_gets_nothing()
    {
        await using (var db = _app.CreateDbContext())
            await db.Shops.Where(s => s.Id == _shop.ShopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.UninstalledAt, MondayMorning));

        (await DueAsync()).Should().BeEmpty();
        await RunJobAsync(_shop.ShopId, "2026-W48", "stale-job");

        _smtp.Messages().Should().BeEmpty();
    }

    [Fact]
    public async Task One_inactive_customer_is_one_customer_not_one_customers()
    {
        var shop = await new ReportShop(_app, "single.myshopify.com").Customer(1, "Solo", "Sole").Order(1, new DateTime(2026, 10, 20, 10, 0, 0), 40m).SaveAsync();
        using var scope = _app.Services.CreateScope();
        var content = await scope.ServiceProvider.GetRequiredService<DigestComposer>().ComposeAsync(shop.ShopId, "2026-W48", CancellationToken.None);

        var email = DigestEmail.Build(content, new MailboxAddress("WinBack", "digest@winback.test"), ["owner@single.example"], "<single@winback.test>", null);

        email.Subject.Should().Be("single: 1 inactive customer, 1 new this week");
    }

    [Fact]
    public async Task Settings_validate_addresses_and_a_test_digest_goes_out_at_once()
    {
        var client = _app.CreateClientFor(_shop.Domain);

        var invalid = await client.PutAsJsonAsync("/api/digest", new DigestSettingsDto(true, ["owner@north.example", "not an address"], "Monday", 8, false));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("recipients")[0].GetString().Should().Contain("not an address");

        var saved = await client.PutAsJsonAsync("/api/digest", new DigestSettingsDto(true, ["owner@north.example"], "Tuesday", 7, true));
        saved.StatusCode.Should().Be(HttpStatusCode.OK);
        var page = (await client.GetFromJsonAsync<DigestPage>("/api/digest"))!;
        page.NextDigestAt.Should().Be(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), "Tuesday 07:00 in New York");

        var sent = await client.PostAsync("/api/digest/test", null);
        sent.StatusCode.Should().Be(HttpStatusCode.NoContent, await sent.Content.ReadAsStringAsync());

        var test = _smtp.Messages().Should().ContainSingle().Subject;
        test.EnvelopeRecipients.Should().Equal("owner@north.example");
        test.Message.Subject.Should().StartWith("[Test] north:");
        test.Message.TextBody.Should().StartWith("This is a test digest, sent from WinBack's settings", "a forwarded test must say what it is");
        test.Message.HtmlBody.Should().Contain("This is a test digest, sent from WinBack&#39;s settings");
        var csv = test.Message.Attachments.OfType<MimePart>().Should().ContainSingle().Subject;
        csv.FileName.Should().Be("inactive-customers-north-2026-11-23.csv", "named as the download is: the list, the shop, the day");
        using var content = new MemoryStream();
        await csv.Content!.DecodeToAsync(content);
        System.Text.Encoding.UTF8.GetString(content.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1 + 5);
    }
}

/// <summary>The weekly schedule in the shop's timezone, on a fake clock that walks through a daylight-saving change.</summary>
public sealed class DigestScheduleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 10, 10, 0, 0, 0, TimeSpan.Zero));
    private SmtpSink _smtp = null!;
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _app = await WinBackApp.StartAsync("digest-schedule", _clock, _smtp.Port);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _smtp.Dispose();
    }

    [Fact]
    public async Task The_schedule_follows_the_shop_timezone_across_a_daylight_saving_change()
    {
        var berlin = await new ReportShop(_app, "berlin.myshopify.com", "Europe/Berlin", "EUR")
            .Customer(1, "Jana", "Jung").Order(1, new DateTime(2026, 6, 1, 10, 0, 0), 90m).SaveAsync();
        await using (var db = _app.CreateDbContext())
        {
            db.DigestSettings.Add(new DigestSettings { ShopId = berlin.ShopId, Enabled = true, Recipients = ["owner@berlin.example"] });
            await db.SaveChangesAsync();
        }

        // Every 15 minutes, as the recurring dispatcher runs, from Saturday 10 October to Tuesday 3 November 2026.
        // Berlin leaves summer time on Sunday 25 October: Monday 08:00 is 06:00 UTC before and 07:00 UTC after.
        while (_clock.GetUtcNow() < new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero))
        {
            using (var scope = _app.Services.CreateScope())
            {
                foreach (var due in await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DueAsync(CancellationToken.None))
                    await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(due.ShopId, due.Period, Guid.NewGuid().ToString("N"), CancellationToken.None);
            }
            _clock.Advance(TimeSpan.FromMinutes(15));
        }

        await using var check = _app.CreateDbContext();
        var sent = await check.DigestDeliveries.Where(d => d.ShopId == berlin.ShopId).OrderBy(d => d.Period).Select(d => new { d.Period, d.SentAt }).ToListAsync();
        sent.Select(d => (d.Period, d.SentAt)).Should().Equal(
            ("2026-W42", new DateTimeOffset(2026, 10, 12, 6, 0, 0, TimeSpan.Zero)),
            ("2026-W43", new DateTimeOffset(2026, 10, 19, 6, 0, 0, TimeSpan.Zero)),
            ("2026-W44", new DateTimeOffset(2026, 10, 26, 7, 0, 0, TimeSpan.Zero)),
            ("2026-W45", new DateTimeOffset(2026, 11, 2, 7, 0, 0, TimeSpan.Zero)));
        _smtp.Messages().Should().HaveCount(4);
    }

    [Theory]
    [InlineData("2026-03-29T00:30:00Z", DayOfWeek.Sunday, 2, "2026-03-29T01:00:00Z", "02:00 does not exist in Berlin that night: the first minute after the jump")]
    [InlineData("2026-10-24T12:00:00Z", DayOfWeek.Sunday, 2, "2026-10-25T00:00:00Z", "02:00 happens twice that night: the first one")]
    [InlineData("2026-07-01T12:00:00Z", DayOfWeek.Monday, 8, "2026-06-29T06:00:00Z", "this week's Monday, already past")]
    public void A_week_has_one_due_instant_even_on_a_daylight_saving_night(string now, DayOfWeek day, int hour, string expected, string why)
    {
        var due = DigestSchedule.ThisWeek(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), day, hour, DateTimeOffset.Parse(now));

        due.At.Should().Be(DateTimeOffset.Parse(expected), why);
    }
}

/// <summary>A mail server that cannot be reached: the failure is kept in words and the outbox schedules the next attempt.</summary>
public sealed class DigestFailureTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero));
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => _app = await WinBackApp.StartAsync("digest-failure", _clock);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_send_that_fails_is_shown_with_the_reason_and_the_next_attempt()
    {
        var shop = await new ReportShop(_app, "offline.myshopify.com").Customer(1, "Ann", "Ames").Order(1, new DateTime(2026, 8, 1, 9, 0, 0), 10m).SaveAsync();
        await using (var db = _app.CreateDbContext())
        {
            db.DigestSettings.Add(new DigestSettings { ShopId = shop.ShopId, Enabled = true, Recipients = ["owner@offline.example"] });
            await db.SaveChangesAsync();
        }

        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(shop.ShopId, "2026-W48", "job-1", CancellationToken.None);

        var page = (await _app.CreateClientFor(shop.Domain).GetFromJsonAsync<DigestPage>("/api/digest"))!;
        var digest = page.Recent.Should().ContainSingle().Subject;
        page.Digest.Should().BeEquivalentTo(digest);
        (digest.Status, digest.Problem, digest.Attempts).Should().Be(("Retrying", "WinBack could not reach its mail server.", 1));
        digest.NextAttemptAt.Should().Be(_clock.GetUtcNow().AddMinutes(5));
        digest.RetryingUntil.Should().Be(new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero), "two days after Monday 08:00 in New York");
    }
}
