using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WinBack.Web.Digests;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Digests;

/// <summary>
/// The weekly digest when the mail server fails at the wrong moment: a real SMTP server on loopback stopped and started
/// again (smtp-sink), or one that accepts the message and hangs up before QUIT; the dispatcher ticks every 15 minutes
/// on a fake clock and its jobs run as Hangfire would run them, retries included.
/// </summary>
public sealed class DigestOutboxTests : IAsyncLifetime
{
    // Monday 2026-11-23, 08:00 in New York: the digest hour of the north shop.
    private static readonly DateTimeOffset DigestHour = new(2026, 11, 23, 13, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(DigestHour);
    private SmtpSink _smtp = null!;
    private WinBackApp? _app;
    private ReportShop _shop = null!;

    public async Task InitializeAsync() => _smtp = await SmtpSink.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _smtp.Dispose();
    }

    private WinBackApp App => _app!;

    private async Task StartAppAsync(int smtpPort)
    {
        _app = await WinBackApp.StartAsync("digest-outbox", _clock, smtpPort);
        _shop = await ReportShop.DigestNorthAsync(_app);
        await using var db = _app.CreateDbContext();
        db.DigestSettings.Add(new DigestSettings { ShopId = _shop.ShopId, Enabled = true, Recipients = ["owner@north.example"] });
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// One run of the recurring dispatcher (what its RunAsync does, the jobs run here rather than queued), and its jobs
    /// run as Hangfire's workers would: a job that throws is run again under the same arguments as many times as its
    /// <see cref="AutomaticRetryAttribute"/> allows.
    /// </summary>
    private async Task TickAsync()
    {
        using var dispatch = App.Services.CreateScope();
        await dispatch.ServiceProvider.GetRequiredService<DeliveryOutbox>().AbandonOverdueAsync(CancellationToken.None);
        foreach (var due in await dispatch.ServiceProvider.GetRequiredService<DigestDispatcher>().DueAsync(CancellationToken.None))
        {
            due.Kind.Should().Be(DigestDelivery.WeeklyDigest);
            var claimant = Guid.NewGuid().ToString("N");
            var retries = typeof(DigestJob).GetMethod(nameof(DigestJob.RunAsync))!.GetCustomAttribute<AutomaticRetryAttribute>()?.Attempts
                          ?? AutomaticRetryAttribute.DefaultRetryAttempts;
            for (var attempt = 0; attempt <= retries; attempt++)
            {
                try
                {
                    using var scope = App.Services.CreateScope();
                    await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(due.ShopId, due.Period, claimant, CancellationToken.None);
                    break;
                }
                catch (Exception) when (attempt < retries)
                {
                    // Hangfire would schedule the retry; the next iteration is that retry.
                }
                catch (Exception)
                {
                    break; // Hangfire gives up: the job is Failed in the dashboard.
                }
            }
        }
    }

    private async Task TickEveryQuarterHourAsync(TimeSpan during)
    {
        var until = _clock.GetUtcNow() + during;
        while (_clock.GetUtcNow() < until)
        {
            await TickAsync();
            _clock.Advance(TimeSpan.FromMinutes(15));
        }
    }

    private async Task<DigestPage> SettingsPageAsync() => (await App.CreateClientFor(_shop.Domain).GetFromJsonAsync<DigestPage>("/api/digest"))!;

    [Fact]
    public async Task A_digest_whose_mail_server_was_down_through_every_attempt_goes_out_once_when_it_is_back()
    {
        await StartAppAsync(_smtp.Port);
        _smtp.Stop();

        await TickEveryQuarterHourAsync(TimeSpan.FromHours(3));
        _smtp.Messages().Should().BeEmpty();
        await _smtp.StartAgainAsync();
        await TickEveryQuarterHourAsync(TimeSpan.FromHours(3));

        var digest = _smtp.Messages().Should().ContainSingle("the week's digest goes out once the server is back, and only once").Subject;
        digest.Message.Subject.Should().StartWith("north:");
        var page = await SettingsPageAsync();
        page.Digest!.Status.Should().Be("Sent");
        page.Digest.SentAt.Should().BeAfter(DigestHour.AddHours(3));
        page.LastSentDigest!.Period.Should().Be("2026-W48");
    }

    /// <summary>Every connection the app holds to its database is cut, as a failover or a restart of PostgreSQL would.</summary>
    private void CutTheDatabaseConnections()
    {
        using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(App.ConnectionString) { Pooling = false }.ConnectionString);
        admin.Open();
        using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
        terminate.ExecuteScalar();
    }

    [Fact]
    public async Task A_digest_the_server_accepted_is_not_sent_again_when_the_database_and_the_connection_fail_before_quit()
    {
        var cutOnce = 0;
        using var server = new HangUpAfterDataSmtpServer(beforeAccepting: () =>
        {
            if (Interlocked.Exchange(ref cutOnce, 1) == 0) CutTheDatabaseConnections();
        });
        await StartAppAsync(server.Port);

        await TickEveryQuarterHourAsync(TimeSpan.FromHours(2));

        server.Accepted().Should().ContainSingle("the server accepted it; what failed afterwards (the database, the QUIT) does not make it unsent");
        var page = await SettingsPageAsync();
        page.Digest!.Status.Should().Be("Sent");
        page.Digest.Problem.Should().BeNull();
    }

    [Fact]
    public async Task A_test_send_does_not_clear_the_state_of_the_scheduled_digest()
    {
        await StartAppAsync(_smtp.Port);
        _smtp.Stop();
        await TickAsync();
        await _smtp.StartAgainAsync();

        var test = await App.CreateClientFor(_shop.Domain).PostAsync("/api/digest/test", null);
        test.StatusCode.Should().Be(HttpStatusCode.NoContent);

        var page = await SettingsPageAsync();
        page.Digest!.Status.Should().Be("Retrying", "the test went out, this week's digest did not");
        page.Digest.Problem.Should().Be("WinBack could not reach its mail server.");
        page.Digest.RetryingUntil.Should().Be(DigestHour.AddDays(2), "two days after its hour");
        page.LastSentDigest.Should().BeNull("a test is not the week's digest");

        _clock.Advance(TimeSpan.FromMinutes(15));
        await TickAsync();
        _smtp.Messages().Select(m => m.Message.Subject!.StartsWith("[Test]", StringComparison.Ordinal)).Should().Equal(true, false);
        (await SettingsPageAsync()).Digest!.Status.Should().Be("Sent");
    }

    [Fact]
    public async Task A_digest_not_sent_within_two_days_of_its_hour_is_abandoned_with_the_reason_shown()
    {
        await StartAppAsync(_smtp.Port);
        _smtp.Stop();

        await TickEveryQuarterHourAsync(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(30));
        await _smtp.StartAgainAsync();
        await TickEveryQuarterHourAsync(TimeSpan.FromHours(1));

        _smtp.Messages().Should().BeEmpty("a digest more than two days late is not sent at all");
        var page = await SettingsPageAsync();
        page.Digest!.Status.Should().Be("Abandoned");
        page.Digest.Period.Should().Be("2026-W48");
        page.Digest.Problem.Should().Be("Not sent within 2 days of its hour. The last attempt failed: WinBack could not reach its mail server.");
        page.Digest.Attempts.Should().BeGreaterThan(1);
    }
}
