using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Webhooks;

/// <summary>
/// Processes one recorded webhook. Safe to run twice (Hangfire delivers at least once): a processed receipt is skipped.
/// A body that is not valid JSON is marked Failed with the reason and not retried: retrying cannot fix it.
/// Topics whose handling belongs to a later feature (sync, redaction) are recorded and marked Processed for now.
/// </summary>
public sealed class WebhookProcessingJob(WinBackDbContext db, TimeProvider time, ILogger<WebhookProcessingJob> logger)
{
    public async Task RunAsync(string shopDomain, string webhookId, CancellationToken cancellationToken)
    {
        var receipt = await db.WebhookReceipts.SingleOrDefaultAsync(r => r.ShopDomain == shopDomain && r.WebhookId == webhookId, cancellationToken);
        if (receipt is null || receipt.Status == WebhookReceiptStatus.Processed) return;

        try
        {
            using (JsonDocument.Parse(receipt.Payload)) { }
            await HandleAsync(receipt, cancellationToken);
            receipt.Status = WebhookReceiptStatus.Processed;
            receipt.Error = null;
        }
        catch (JsonException e)
        {
            logger.LogWarning("Webhook {WebhookId} ({Topic}) for {Shop} has a body that is not JSON: {Reason}", webhookId, receipt.Topic, shopDomain, e.Message);
            receipt.Status = WebhookReceiptStatus.Failed;
            receipt.Error = $"The body is not valid JSON: {e.Message}";
        }
        receipt.ProcessedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task HandleAsync(WebhookReceipt receipt, CancellationToken cancellationToken)
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
            case "shop/redact":
                await db.Shops.Where(s => s.Domain == receipt.ShopDomain).ExecuteDeleteAsync(cancellationToken);
                break;
            default:
                break;
        }
    }
}
