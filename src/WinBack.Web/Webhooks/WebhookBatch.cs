using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Operations;
using WinBack.Web.Privacy;
using WinBack.Web.Sync;

namespace WinBack.Web.Webhooks;

/// <summary>
/// One transaction of <see cref="WebhookProcessingJob"/>: claims due deliveries (or one given delivery), applies them in
/// the order received and commits. A body that is not valid JSON, or lacks what its topic needs, is marked Failed with the
/// reason at once: retrying cannot fix it. Any other error rolls the whole transaction back and is returned with what was
/// claimed, for the job to try each delivery alone. Order and customer topics update the synced copy (<see cref="SyncWebhooks"/>).
/// </summary>
public sealed class WebhookBatch(WinBackDbContext db, PrivacyRequests privacy, SyncWebhooks sync, WinBackMetrics metrics, TimeProvider time, ILogger<WebhookBatch> logger)
{
    public sealed record Delivery(string ShopDomain, string WebhookId);

    /// <param name="Failure">Null when the batch committed; otherwise what rolled it back.</param>
    public sealed record Result(IReadOnlyList<Delivery> Claimed, Exception? Failure);

    public async Task<Result> ProcessAsync(int limit, Delivery? only, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var batch = await (only is null
            ? db.WebhookReceipts.FromSql($"""
                SELECT * FROM webhook_receipts WHERE status = 'Received' AND (next_attempt_at IS NULL OR next_attempt_at <= {now})
                ORDER BY received_at LIMIT {limit} FOR UPDATE SKIP LOCKED
                """)
            : db.WebhookReceipts.FromSql($"""
                SELECT * FROM webhook_receipts WHERE shop_domain = {only.ShopDomain} AND webhook_id = {only.WebhookId} AND status = 'Received'
                FOR UPDATE SKIP LOCKED
                """)).ToListAsync(cancellationToken);
        var claimed = batch.Select(r => new Delivery(r.ShopDomain, r.WebhookId)).ToList();
        if (batch.Count == 0) return new Result(claimed, null);
        try
        {
            foreach (var receipt in batch) await ProcessAsync(receipt, cancellationToken);
            await sync.FlushAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            foreach (var receipt in batch)
                if (receipt.Status == WebhookReceiptStatus.Processed) metrics.WebhookApplied(receipt.Topic);
                else metrics.WebhookQuarantined(receipt.Topic);
            return new Result(claimed, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new Result(claimed, e);
        }
    }

    private async Task ProcessAsync(WebhookReceipt receipt, CancellationToken cancellationToken)
    {
        // Queued order writes go out before anything else touches the data, so events keep their order.
        if (!SyncWebhooks.IsOrderUpsert(receipt.Topic)) await sync.FlushAsync(cancellationToken);
        try
        {
            using var payload = JsonDocument.Parse(receipt.Payload);
            await HandleAsync(receipt, payload.RootElement, cancellationToken);
            receipt.Status = WebhookReceiptStatus.Processed;
            receipt.Error = null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            logger.LogWarning("Webhook {WebhookId} ({Topic}) for {Shop} cannot be processed: {Reason}", receipt.WebhookId, receipt.Topic, receipt.ShopDomain, e.Message);
            receipt.Status = WebhookReceiptStatus.Failed;
            receipt.Error = e is JsonException ? $"The body is not valid JSON: {e.Message}" : $"The body lacks what {receipt.Topic} needs: {e.Message}";
        }
        receipt.ProcessedAt = time.GetUtcNow();
        receipt.NextAttemptAt = null;
    }

    private async Task HandleAsync(WebhookReceipt receipt, JsonElement payload, CancellationToken cancellationToken)
    {
        switch (receipt.Topic)
        {
            case "app/uninstalled":
                // Shopify has already revoked the tokens: forget them and stop all work for the shop. An uninstall that
                // happened (or reached us) before the shop's latest install belongs to the installation before it.
                var happenedAt = receipt.TriggeredAt < receipt.ReceivedAt ? receipt.TriggeredAt.Value : receipt.ReceivedAt;
                await db.Shops.Where(s => s.Domain == receipt.ShopDomain && s.UninstalledAt == null && s.InstalledAt <= happenedAt).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.UninstalledAt, time.GetUtcNow())
                    .SetProperty(x => x.AccessTokenCiphertext, (string?)null)
                    .SetProperty(x => x.RefreshTokenCiphertext, (string?)null), cancellationToken);
                break;
            case "customers/data_request":
                await privacy.CompileDataRequestAsync(receipt.ShopDomain, payload, cancellationToken);
                break;
            case "customers/redact":
                await privacy.RedactCustomerAsync(receipt.ShopDomain, payload, cancellationToken);
                receipt.Payload = PrivacyRequests.RedactedPayload;
                break;
            case "shop/redact":
                await privacy.RedactShopAsync(receipt.ShopDomain, cancellationToken);
                receipt.Payload = PrivacyRequests.RedactedPayload;
                break;
            case var topic when SyncWebhooks.Handles(topic):
                await sync.ApplyAsync(receipt.ShopDomain, topic, payload, cancellationToken);
                break;
        }
    }
}
