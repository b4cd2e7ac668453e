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

    /// <summary>
    /// The longest a batch waits for rows another transaction holds (a large shop's refit writing its scores, its first
    /// import copying its orders, another batch). Past it the batch fails and each delivery is tried alone: the others are
    /// applied, and only the one that meets the held rows waits out its back-off. Other shops' webhooks are held up
    /// seconds, never for the length of one shop's long transaction.
    /// </summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    public async Task<Result> ProcessAsync(int limit, Delivery? only, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT set_config('lock_timeout', {$"{(int)LockWait.TotalMilliseconds}ms"}, true)", cancellationToken);
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
            await ApplyAsync(batch, cancellationToken);
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

    /// <summary>
    /// Applies the batch in the order received: each run of order and customer deliveries in one call to Sync, which has
    /// written them when it returns, so a privacy request or an uninstall after them sees them.
    /// </summary>
    private async Task ApplyAsync(List<WebhookReceipt> batch, CancellationToken cancellationToken)
    {
        var run = new List<WebhookReceipt>();
        foreach (var receipt in batch)
        {
            if (SyncWebhooks.Handles(receipt.Topic))
            {
                run.Add(receipt);
                continue;
            }
            await ApplySyncAsync(run, cancellationToken);
            run.Clear();
            Settle(receipt, await JsonFields.ApplyBodyAsync(receipt.Topic, receipt.Payload, payload => HandleAsync(receipt, payload, cancellationToken)));
        }
        await ApplySyncAsync(run, cancellationToken);
    }

    private async Task ApplySyncAsync(List<WebhookReceipt> run, CancellationToken cancellationToken)
    {
        if (run.Count == 0) return;
        var problems = await sync.ApplyAsync(run.Select(r => new SyncDelivery(r.ShopDomain, r.Topic, r.Payload)).ToList(), cancellationToken);
        for (var i = 0; i < run.Count; i++) Settle(run[i], problems[i]);
    }

    /// <summary>Processed, or Failed with why its body cannot be applied: retrying cannot fix that.</summary>
    private void Settle(WebhookReceipt receipt, string? problem)
    {
        if (problem is not null)
            logger.LogWarning("Webhook {WebhookId} ({Topic}) for {Shop} cannot be processed: {Reason}", receipt.WebhookId, receipt.Topic, receipt.ShopDomain, problem);
        receipt.Status = problem is null ? WebhookReceiptStatus.Processed : WebhookReceiptStatus.Failed;
        receipt.Error = problem;
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
        }
    }
}
