using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Privacy;

namespace WinBack.Web.Webhooks;

/// <summary>
/// Processes one recorded webhook. Safe to run twice (Hangfire delivers at least once): a processed receipt is skipped.
/// A body that is not valid JSON is marked Failed with the reason and not retried: retrying cannot fix it.
/// Order and customer topics are recorded and marked Processed; applying them to the synced copy is the order-sync feature's work.
/// </summary>
public sealed class WebhookProcessingJob(WinBackDbContext db, PrivacyRequests privacy, TimeProvider time, ILogger<WebhookProcessingJob> logger)
{
    public async Task RunAsync(string shopDomain, string webhookId, CancellationToken cancellationToken)
    {
        var receipt = await db.WebhookReceipts.SingleOrDefaultAsync(r => r.ShopDomain == shopDomain && r.WebhookId == webhookId, cancellationToken);
        if (receipt is null || receipt.Status == WebhookReceiptStatus.Processed) return;

        try
        {
            using var payload = JsonDocument.Parse(receipt.Payload);
            await HandleAsync(receipt, payload.RootElement, cancellationToken);
            receipt.Status = WebhookReceiptStatus.Processed;
            receipt.Error = null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            logger.LogWarning("Webhook {WebhookId} ({Topic}) for {Shop} has a body that is not JSON: {Reason}", webhookId, receipt.Topic, shopDomain, e.Message);
            receipt.Status = WebhookReceiptStatus.Failed;
            receipt.Error = e is JsonException ? $"The body is not valid JSON: {e.Message}" : $"The body lacks what {receipt.Topic} needs: {e.Message}";
        }
        receipt.ProcessedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
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
            default:
                break;
        }
    }
}
