using Hangfire;
using Microsoft.EntityFrameworkCore;
using MimeKit.Utils;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;

namespace WinBack.Web.Digests;

/// <summary>
/// Sends one shop's digest for one local week through the <see cref="DeliveryOutbox"/>: an attempt starts only when the
/// week has no delivery yet or its delivery is ready for another attempt, the message is marked Sent the moment the
/// server accepts it, and a failure before that is recorded (in words, for the settings page) for the next attempt.
/// Hangfire does not retry: the outbox's schedule does, through the dispatcher.
/// </summary>
public sealed class DigestJob(
    WinBackDbContext db,
    DeliveryOutbox outbox,
    DigestComposer composer,
    DigestMailer mailer,
    InactiveCustomersQuery query,
    WinBackOutcomes outcomes,
    TimeProvider time,
    ILogger<DigestJob> logger)
{
    [AutomaticRetry(Attempts = 0), Queue(JobQueues.Email)]
    public async Task RunAsync(long shopId, string period, string claimant, CancellationToken cancellationToken)
    {
        var settings = await SettingsOfInstalledShopAsync(shopId, cancellationToken);
        if (settings is null)
        {
            await outbox.AbandonAsync(shopId, DigestDelivery.WeeklyDigest, period, "The digest was switched off (or WinBack uninstalled) before it could be sent.", cancellationToken);
            return;
        }
        var zone = DigestSchedule.ZoneOf(await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken));
        var dueAt = DigestSchedule.DueAtOf(period, ReportFrequency.Weekly, zone, settings.Day, settings.Hour);
        var delivery = await outbox.StartAttemptAsync(shopId, DigestDelivery.WeeklyDigest, period, dueAt, claimant, settings.Recipients, cancellationToken);
        if (delivery is null) return;

        DigestContent content;
        OutgoingList? attached = null;
        try
        {
            content = await composer.ComposeAsync(shopId, period, cancellationToken);
            if (settings.AttachCsv) attached = await outcomes.StartListAsync(content.Scope, ListingChannels.Digest, cancellationToken);
            await using var csv = attached is null ? null : await WriteCsvAsync(attached, cancellationToken);
            await outbox.SendAsync(delivery, DigestEmail.Build(content, mailer.From, settings.Recipients, delivery.MessageId, csv, test: false), content.Figures(), cancellationToken);
        }
        catch (Exception e) when (DeliveryOutbox.FailedBeforeAcceptance(e))
        {
            await outbox.RecordFailureAsync(delivery, e);
            return;
        }
        await RecordListingsAsync(content, attached);
    }

    /// <summary>Who the sent digest listed (its named customers and its CSV), for the outcomes; the digest is sent whether or not this works.</summary>
    private async Task RecordListingsAsync(DigestContent content, OutgoingList? attached)
    {
        try
        {
            await outcomes.RecordAsync(content.Scope.ShopId, content.Listings, ListingChannels.Digest, CancellationToken.None);
            if (attached is not null) await outcomes.RecordAsync(attached, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Digest {Period} of shop {ShopId} was sent; who it listed could not be recorded for the outcomes", content.Period, content.Scope.ShopId);
        }
    }

    /// <summary>"Send a test digest now": the same email, marked as a test, kept apart from the week's digest and its state.</summary>
    public async Task SendTestAsync(long shopId, CancellationToken cancellationToken)
    {
        var settings = await db.DigestSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        if (settings is not { Recipients.Count: > 0 }) throw new DigestNotConfiguredException("Add at least one recipient and save before sending a test.");
        var now = time.GetUtcNow();
        var messageId = MimeUtils.GenerateMessageId(mailer.MessageIdDomain);
        var content = await composer.ComposeAsync(shopId, DigestSchedule.PeriodOf(DateOnly.FromDateTime(now.UtcDateTime)), cancellationToken);
        await using var csv = settings.AttachCsv ? await WriteCsvAsync(await outcomes.StartListAsync(content.Scope, ListingChannels.Digest, cancellationToken), cancellationToken) : null;
        await mailer.SendAsync(DigestEmail.Build(content, mailer.From, settings.Recipients, messageId, csv, test: true), async () =>
        {
            db.DigestDeliveries.Add(new DigestDelivery
            {
                ShopId = shopId, Kind = DigestDelivery.TestDigest, Period = now.ToString("yyyyMMdd'T'HHmmss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                Status = DeliveryStatus.Sent, MessageId = messageId, ClaimedBy = "test", Recipients = settings.Recipients, ClaimedAt = now,
                Attempts = 1, AttemptStartedAt = now, SentAt = now,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }, cancellationToken);
    }

    private async Task<DigestSettings?> SettingsOfInstalledShopAsync(long shopId, CancellationToken cancellationToken)
    {
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        var settings = await db.DigestSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        if (installed && settings is { Enabled: true, Recipients.Count: > 0 }) return settings;
        logger.LogInformation("Shop {ShopId} gets no digest (uninstalled, digest off or no recipients)", shopId);
        return null;
    }

    /// <summary>
    /// The full inactive list, less the control group, as CSV in a temporary file: the attachment is streamed from disk,
    /// not held in memory.
    /// </summary>
    private async Task<Stream> WriteCsvAsync(OutgoingList list, CancellationToken cancellationToken)
    {
        var scope = list.Scope;
        var (filter, _) = InactiveCustomersFilter.Parse("", scope.ThresholdWeeks);
        return await CustomersCsv.WriteTempFileAsync(scope, list.ContactedOf(query.AllAsync(scope, filter, cancellationToken), cancellationToken), cancellationToken);
    }
}

public sealed class DigestNotConfiguredException(string message) : Exception(message);

/// <summary>Sending failures in words a merchant can act on (shown on the settings page), never a stack trace.</summary>
/// <remarks>Whether and until when it is retried is the outbox's to say (the settings page adds it), not the reason's.</remarks>
public static class DigestFailure
{
    public static string Describe(Exception e) => e switch
    {
        MailKit.Net.Smtp.SmtpCommandException { ErrorCode: MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted } smtp =>
            $"The mail server refused the recipient {smtp.Mailbox?.Address}. Check the address in the digest settings.",
        MailKit.Net.Smtp.SmtpCommandException smtp => $"The mail server refused the email ({(int)smtp.StatusCode}): {smtp.Message}",
        MailKit.Security.AuthenticationException => "WinBack could not sign in to its mail server. Our team has been told.",
        System.Net.Sockets.SocketException or MailKit.Net.Smtp.SmtpProtocolException or IOException => "WinBack could not reach its mail server.",
        DigestNotConfiguredException => e.Message,
        _ => "The email could not be sent.",
    };
}
