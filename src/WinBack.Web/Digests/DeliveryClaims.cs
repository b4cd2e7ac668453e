using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Digests;

/// <summary>
/// Exactly once per period for every scheduled email (digest, alert, scheduled report): the unique
/// (shop, kind, period) row is the claim, written with the Message-Id before the send and marked Sent after.
/// </summary>
public sealed class DeliveryClaims(WinBackDbContext db, TimeProvider time, ILogger<DeliveryClaims> logger)
{
    /// <summary>
    /// The claim to send under, or null when the period is already sent or claimed by another job. The same claimant
    /// (a Hangfire retry of the same job) gets its claim back, with the Message-Id of its first attempt.
    /// </summary>
    public async Task<DigestDelivery?> ClaimAsync(long shopId, string kind, string period, string claimant, IReadOnlyList<string> recipients,
        string messageId, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO digest_deliveries (shop_id, kind, period, status, message_id, claimed_by, recipients, claimed_at)
            VALUES ({shopId}, {kind}, {period}, {nameof(DeliveryStatus.Sending)}, {messageId}, {claimant}, {recipients.ToList()}, {time.GetUtcNow()})
            ON CONFLICT (shop_id, kind, period) DO NOTHING
            """, cancellationToken);
        var delivery = await db.DigestDeliveries.SingleAsync(d => d.ShopId == shopId && d.Kind == kind && d.Period == period, cancellationToken);
        if (delivery.ClaimedBy != claimant || delivery.Status == DeliveryStatus.Sent)
        {
            logger.LogInformation("{Kind} {Period} of shop {ShopId} is {Status} by another job; nothing to send", kind, period, shopId, delivery.Status);
            return null;
        }
        if (delivery.MessageId != messageId)
            logger.LogWarning("{Kind} {Period} of shop {ShopId} is sent again after an interrupted attempt, with the same Message-Id", kind, period, shopId);
        return delivery;
    }

    public async Task MarkSentAsync(DigestDelivery delivery, IReadOnlyList<string> recipients, string? figures, CancellationToken cancellationToken)
    {
        delivery.Status = DeliveryStatus.Sent;
        delivery.SentAt = time.GetUtcNow();
        delivery.Recipients = recipients.ToList();
        delivery.Figures = figures;
        await db.SaveChangesAsync(cancellationToken);
    }
}
