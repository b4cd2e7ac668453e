using Hangfire;
using Microsoft.EntityFrameworkCore;
using MimeKit.Utils;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;

namespace WinBack.Web.Digests;

/// <summary>
/// Sends one shop's digest for one local week, exactly once: the (shop, week) delivery row is the claim, written with
/// the Message-Id before the send and marked Sent after. Another job for the same week (a second server's dispatcher)
/// finds the claim and stands down; a retry of the same job (same <c>claimant</c> argument) resends under the same
/// Message-Id, the only case where a second copy can go out (a crash between send and record), and one that mail
/// clients show once. Failures are kept on the settings page in words, and Hangfire retries with backoff.
/// </summary>
public sealed class DigestJob(
    WinBackDbContext db,
    DeliveryClaims claims,
    DigestComposer composer,
    DigestMailer mailer,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    WinBackOutcomes outcomes,
    TimeProvider time,
    ILogger<DigestJob> logger)
{
    [AutomaticRetry(Attempts = 6)]
    public async Task RunAsync(long shopId, string period, string claimant, CancellationToken cancellationToken)
    {
        var settings = await SettingsOfInstalledShopAsync(shopId, cancellationToken);
        if (settings is null) return;

        var delivery = await claims.ClaimAsync(shopId, DigestDelivery.WeeklyDigest, period, claimant, settings.Recipients,
            MimeUtils.GenerateMessageId(mailer.MessageIdDomain), cancellationToken);
        if (delivery is null) return;

        var figures = await SendAsync(settings, period, delivery.MessageId, test: false, cancellationToken);
        await claims.MarkSentAsync(delivery, settings.Recipients, figures, cancellationToken);
    }

    /// <summary>"Send a test digest now": the same email, marked as a test, not counted as the week's digest.</summary>
    public async Task SendTestAsync(long shopId, CancellationToken cancellationToken)
    {
        var settings = await db.DigestSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken)
                       ?? throw new DigestNotConfiguredException("Add at least one recipient and save before sending a test.");
        if (settings.Recipients.Count == 0) throw new DigestNotConfiguredException("Add at least one recipient and save before sending a test.");
        var now = time.GetUtcNow();
        var messageId = MimeUtils.GenerateMessageId(mailer.MessageIdDomain);
        await SendAsync(settings, DigestSchedule.PeriodOf(DateOnly.FromDateTime(now.UtcDateTime)), messageId, test: true, cancellationToken);
        db.DigestDeliveries.Add(new DigestDelivery
        {
            ShopId = shopId, Kind = DigestDelivery.TestDigest, Period = now.ToString("yyyyMMdd'T'HHmmss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), Status = DeliveryStatus.Sent, MessageId = messageId,
            ClaimedBy = "test", Recipients = settings.Recipients, ClaimedAt = now, SentAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<DigestSettings?> SettingsOfInstalledShopAsync(long shopId, CancellationToken cancellationToken)
    {
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        var settings = await db.DigestSettings.SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        if (installed && settings is { Enabled: true, Recipients.Count: > 0 }) return settings;
        logger.LogInformation("Shop {ShopId} gets no digest (uninstalled, digest off or no recipients)", shopId);
        return null;
    }

    /// <returns>The figures sent, for next week's comparison.</returns>
    private async Task<string> SendAsync(DigestSettings settings, string period, string messageId, bool test, CancellationToken cancellationToken)
    {
        try
        {
            var content = await composer.ComposeAsync(settings.ShopId, period, cancellationToken);
            await using var csv = settings.AttachCsv ? await WriteCsvAsync(settings.ShopId, cancellationToken) : null;
            var message = DigestEmail.Build(content, mailer.From, settings.Recipients, messageId, csv, test);
            await mailer.SendAsync(message, cancellationToken);
            if (!test) await outcomes.RecordAsync(settings.ShopId, [.. content.WentInactive, .. content.HighValueAtRisk], ListingChannel.Digest, CancellationToken.None);
            await db.DigestSettings.Where(s => s.ShopId == settings.ShopId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.LastErrorAt, (DateTimeOffset?)null), cancellationToken);
            logger.LogInformation("Digest {Period} of shop {ShopId} sent to {Count} recipients", period, settings.ShopId, settings.Recipients.Count);
            return content.Figures();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = DigestFailure.Describe(e);
            logger.LogWarning(e, "Digest {Period} of shop {ShopId} was not sent: {Reason}", period, settings.ShopId, reason);
            await db.DigestSettings.Where(s => s.ShopId == settings.ShopId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastError, reason).SetProperty(x => x.LastErrorAt, time.GetUtcNow()), CancellationToken.None);
            throw;
        }
    }

    /// <summary>The full inactive list as CSV in a temporary file: the attachment is streamed from disk, not held in memory.</summary>
    private async Task<Stream> WriteCsvAsync(long shopId, CancellationToken cancellationToken)
    {
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, _) = InactiveCustomersFilter.Parse("", scope.ThresholdWeeks);
        return await CustomersCsv.WriteTempFileAsync(scope, query.AllAsync(scope, filter, cancellationToken), cancellationToken);
    }
}

public sealed class DigestNotConfiguredException(string message) : Exception(message);

/// <summary>Sending failures in words a merchant can act on (shown on the settings page), never a stack trace.</summary>
public static class DigestFailure
{
    public static string Describe(Exception e) => e switch
    {
        MailKit.Net.Smtp.SmtpCommandException { ErrorCode: MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted } smtp =>
            $"The mail server refused the recipient {smtp.Mailbox?.Address}. Check the address in the digest settings.",
        MailKit.Net.Smtp.SmtpCommandException smtp => $"The mail server refused the digest ({(int)smtp.StatusCode}): {smtp.Message}",
        MailKit.Security.AuthenticationException => "WinBack could not sign in to its mail server. Our team has been told; the digest will be retried.",
        System.Net.Sockets.SocketException or MailKit.Net.Smtp.SmtpProtocolException or IOException =>
            "WinBack could not reach its mail server. The digest will be retried in a few minutes.",
        DigestNotConfiguredException => e.Message,
        _ => "The digest could not be sent. It will be retried in a few minutes.",
    };
}
