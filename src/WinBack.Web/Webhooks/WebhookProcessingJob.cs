using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Privacy;
using WinBack.Web.Sync;

namespace WinBack.Web.Webhooks;

/// <summary>
/// Processes recorded webhooks, oldest first, a batch per transaction. Rows are claimed with FOR UPDATE SKIP LOCKED, so
/// any number of Hangfire workers on any number of servers can run it at once without handling a delivery twice, and
/// running it again (Hangfire delivers at least once) finds nothing left to do. A body that is not valid JSON, or lacks
/// what its topic needs, is marked Failed with the reason and not retried: retrying cannot fix it.
/// Order and customer topics update the synced copy (<see cref="SyncWebhooks"/>).
/// </summary>
public sealed class WebhookProcessingJob(WinBackDbContext db, PrivacyRequests privacy, SyncWebhooks sync, TimeProvider time, ILogger<WebhookProcessingJob> logger)
{
    public const int BatchSize = 100;

    public async Task RunPendingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var batch = await db.WebhookReceipts
                .FromSql($"SELECT * FROM webhook_receipts WHERE status = 'Received' ORDER BY received_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            if (batch.Count == 0) return;
            foreach (var receipt in batch) await ProcessAsync(receipt, cancellationToken);
            await sync.FlushAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
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
    }

    private async Task HandleAsync(WebhookReceipt receipt, JsonElement payload, CancellationToken cancellationToken)
    {
        switch (receipt.Topic)
        {
            case "app/uninstalled":
                // Shopify has already revoked the tokens: forget them and stop all work for the shop.
                await db.Shops.Where(s => s.Domain == receipt.ShopDomain && s.UninstalledAt == null).ExecuteUpdateAsync(s => s
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
