using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Operations;

namespace WinBack.Web.Digests;

/// <summary>
/// The outbox every scheduled email goes through (weekly digest, high-value alert, scheduled report): one
/// <see cref="DigestDelivery"/> per (shop, kind, period), unique, whose Message-Id is fixed by its first attempt.
/// <list type="bullet">
/// <item>Sending: an attempt started (counted, timed), by one job only.</item>
/// <item>Sent: the mail server accepted the message (its reply to DATA), recorded before QUIT; a failure after that
/// (QUIT, the disconnect, the outcomes recorded afterwards) does not make it unsent, and it is never sent again.</item>
/// <item>Retrying: the attempt failed before the server accepted the message; the dispatcher starts the next one at
/// <see cref="DigestDelivery.NextAttemptAt"/> (5 minutes, doubling to an hour).</item>
/// <item>Abandoned: not sent by <see cref="DigestDelivery.GiveUpAt"/>, its hour plus <see cref="DigestDispatcher.MaxLateness"/>, with the reason.</item>
/// </list>
/// The one rule for an attempt whose fate is unknown (the process or the database died between the server's reply and
/// our record of it, so the row stays Sending): once it started <see cref="OutboxOptions.UnconfirmedAfter"/> ago it counts as not
/// accepted and is sent again under the same Message-Id. Such a gap is far more often a deploy or crash before the
/// final dot than after it, and a mail client shows one message for two copies with one Message-Id, while the
/// opposite rule would silently lose that week's digest.
/// </summary>
public sealed class DeliveryOutbox(WinBackDbContext db, DigestMailer mailer, IOptions<OutboxOptions> options, WinBackMetrics metrics, TimeProvider time, ILogger<DeliveryOutbox> logger)
{

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromHours(1);
    private static readonly string NotSentInTime = $"Not sent within {DigestDispatcher.MaxLateness.TotalDays} days of its hour.";

    /// <summary>The rows an attempt may start on now: failed ones whose next attempt is due, and Sending ones the unknown-fate rule hands on.</summary>
    public IQueryable<DigestDelivery> ReadyForAttempt(IQueryable<DigestDelivery> deliveries, DateTimeOffset now) =>
        Unattended(deliveries, now).Where(d => (d.Status == DeliveryStatus.Sending || d.NextAttemptAt <= now) && d.GiveUpAt > now);

    /// <summary>Rows no attempt is working on that are not finished: failed ones, and Sending ones older than <see cref="OutboxOptions.UnconfirmedAfter"/>.</summary>
    private IQueryable<DigestDelivery> Unattended(IQueryable<DigestDelivery> deliveries, DateTimeOffset now)
    {
        var unconfirmedBefore = now - options.Value.UnconfirmedAfter;
        return deliveries.Where(d => d.Status == DeliveryStatus.Retrying || (d.Status == DeliveryStatus.Sending && d.AttemptStartedAt <= unconfirmedBefore));
    }

    private IQueryable<DigestDelivery> Row(long shopId, string kind, string period) =>
        db.DigestDeliveries.Where(d => d.ShopId == shopId && d.Kind == kind && d.Period == period);

    private IQueryable<DigestDelivery> Row(DigestDelivery delivery) => Row(delivery.ShopId, delivery.Kind, delivery.Period);

    /// <summary>
    /// Starts an attempt at the period's email (due at <paramref name="dueAt"/>) for <paramref name="claimant"/>, or returns
    /// null when there is nothing to attempt: sent, abandoned, another attempt under way, or the next one not due yet.
    /// </summary>
    public async Task<DigestDelivery?> StartAttemptAsync(long shopId, string kind, string period, DateTimeOffset dueAt, string claimant,
        IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var giveUpAt = dueAt + DigestDispatcher.MaxLateness;
        if (now >= giveUpAt)
        {
            logger.LogInformation("{Kind} {Period} of shop {ShopId} is past its lateness window (a job that waited too long in the queue); not sent", kind, period, shopId);
            return null;
        }
        var messageId = MimeUtils.GenerateMessageId(mailer.MessageIdDomain);
        var started = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO digest_deliveries (shop_id, kind, period, status, message_id, claimed_by, recipients, claimed_at, attempts, attempt_started_at, give_up_at)
            VALUES ({shopId}, {kind}, {period}, {nameof(DeliveryStatus.Sending)}, {messageId}, {claimant}, {recipients.ToList()}, {now}, 1, {now}, {giveUpAt})
            ON CONFLICT (shop_id, kind, period) DO NOTHING
            """, cancellationToken) == 1
            // One statement, so of two jobs racing for the same row only one finds it still ready.
            || await ReadyForAttempt(Row(shopId, kind, period), now).ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, DeliveryStatus.Sending).SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.AttemptStartedAt, now).SetProperty(x => x.ClaimedBy, claimant)
                .SetProperty(x => x.Recipients, recipients.ToList()).SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null), cancellationToken) == 1;
        if (!started)
        {
            logger.LogInformation("{Kind} {Period} of shop {ShopId} is sent, abandoned, being sent or not due for another attempt; nothing to do", kind, period, shopId);
            return null;
        }
        var delivery = await Row(shopId, kind, period).AsNoTracking().SingleAsync(cancellationToken);
        if (delivery.Attempts > 1)
            logger.LogInformation("{Kind} {Period} of shop {ShopId}: attempt {Attempt}, under the Message-Id of the first", kind, period, shopId, delivery.Attempts);
        return delivery;
    }

    /// <summary>
    /// Sends the message of a started attempt and marks it Sent the moment the server accepts it. Throws what failed
    /// before that (the caller records it with <see cref="RecordFailureAsync"/>), or a <see cref="AcceptedButNotRecordedException"/>.
    /// </summary>
    public Task SendAsync(DigestDelivery delivery, MimeMessage message, string? figures, CancellationToken cancellationToken) =>
        mailer.SendAsync(message, () => MarkSentAsync(delivery, figures), cancellationToken);

    /// <summary>
    /// The server has the message: the record of it is retried on fresh connections (a failover leaves every pooled one
    /// dead) for about half a minute, and whatever the shutdown token says, before the unknown-fate rule takes over.
    /// </summary>
    private async Task MarkSentAsync(DigestDelivery delivery, string? figures)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var sentAt = time.GetUtcNow();
                await Row(delivery).ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.Status, DeliveryStatus.Sent).SetProperty(x => x.SentAt, sentAt).SetProperty(x => x.Figures, figures)
                    .SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null), CancellationToken.None);
                logger.LogInformation("{Kind} {Period} of shop {ShopId} sent to {Count} recipients", delivery.Kind, delivery.Period, delivery.ShopId, delivery.Recipients.Count);
                metrics.EmailSent(delivery.Kind);
                return;
            }
            catch (Exception e) when (attempt < 5)
            {
                logger.LogWarning(e, "{Kind} {Period} of shop {ShopId} was accepted by the mail server; recording that failed, trying again", delivery.Kind, delivery.Period, delivery.ShopId);
                NpgsqlConnection.ClearPool((NpgsqlConnection)db.Database.GetDbConnection());
                await Task.Delay(TimeSpan.FromSeconds(attempt * attempt));
            }
            catch (Exception e)
            {
                throw new AcceptedButNotRecordedException(delivery, e);
            }
        }
    }

    /// <summary>Whether <paramref name="e"/>, thrown by an attempt, means the server did not accept the message (so <see cref="RecordFailureAsync"/> applies).</summary>
    public static bool FailedBeforeAcceptance(Exception e) => e is not (OperationCanceledException or AcceptedButNotRecordedException);

    /// <summary>The attempt failed before the server accepted the message: Retrying, the next attempt after a growing delay.</summary>
    public async Task RecordFailureAsync(DigestDelivery delivery, Exception e)
    {
        metrics.EmailFailed(delivery.Kind);
        var reason = DigestFailure.Describe(e);
        var delay = TimeSpan.FromTicks(Math.Min(LongestRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(delivery.Attempts - 1, 10)));
        var next = time.GetUtcNow() + delay;
        logger.LogWarning(e, "{Kind} {Period} of shop {ShopId} was not sent (attempt {Attempt}): {Reason} Next attempt at {NextAttemptAt}",
            delivery.Kind, delivery.Period, delivery.ShopId, delivery.Attempts, reason, next);
        await Row(delivery).Where(d => d.Status == DeliveryStatus.Sending && d.ClaimedBy == delivery.ClaimedBy).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.Status, DeliveryStatus.Retrying).SetProperty(x => x.NextAttemptAt, next).SetProperty(x => x.LastError, reason), CancellationToken.None);
    }

    /// <summary>Unfinished emails past their lateness window are Abandoned, with the reason and the last attempt's error.</summary>
    public Task<int> AbandonOverdueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Unattended(db.DigestDeliveries, now).Where(d => d.GiveUpAt <= now).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.Status, DeliveryStatus.Abandoned).SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null)
            .SetProperty(x => x.LastError, x => x.LastError == null ? NotSentInTime : NotSentInTime + " The last attempt failed: " + x.LastError), cancellationToken);
    }

    /// <summary>The email is no longer wanted (switched off, deleted, nothing left to say): an unfinished attempt is Abandoned with <paramref name="reason"/>.</summary>
    public Task AbandonAsync(long shopId, string kind, string period, string reason, CancellationToken cancellationToken) =>
        Unattended(Row(shopId, kind, period), time.GetUtcNow()).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.Status, DeliveryStatus.Abandoned).SetProperty(x => x.NextAttemptAt, (DateTimeOffset?)null).SetProperty(x => x.LastError, reason),
            cancellationToken);
}

/// <summary>The outbox's rule for unknown fate (section "Outbox").</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>When an attempt that never recorded its end counts as not accepted: longer than any attempt runs (composing,
    /// the CSV, MailKit's two-minute timeout per SMTP command). Shorter only where attempts are known to be short (a benchmark).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>The mail server accepted the message but the database did not take the record of it: the unknown-fate rule of <see cref="DeliveryOutbox"/> applies.</summary>
public sealed class AcceptedButNotRecordedException(DigestDelivery delivery, Exception inner)
    : Exception($"{delivery.Kind} {delivery.Period} of shop {delivery.ShopId} was accepted by the mail server but could not be recorded as sent.", inner);
