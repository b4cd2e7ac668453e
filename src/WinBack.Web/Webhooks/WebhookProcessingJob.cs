using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;

namespace WinBack.Web.Webhooks;

/// <summary>
/// Processes recorded webhooks, oldest first, a batch per transaction (<see cref="WebhookBatch"/>). Rows are claimed with
/// FOR UPDATE SKIP LOCKED, so any number of Hangfire workers on any number of servers can run it at once without handling
/// a delivery twice, and running it again (Hangfire delivers at least once) finds nothing left to do.
/// A batch that fails is not retried as a whole: each of its deliveries is tried alone, so one delivery that cannot be
/// applied (whatever the shop, whatever the error) holds back no other. The one that fails alone counts an attempt and
/// waits out a back-off; after <see cref="MaxAttempts"/> it is set aside as Failed with its reason, for the operator to
/// replay (<see cref="WebhookReplayCommand"/>).
/// </summary>
public sealed class WebhookProcessingJob(IServiceScopeFactory scopes, WinBackDbContext db, WinBackMetrics metrics, TimeProvider time, ILogger<WebhookProcessingJob> logger)
{
    public const int BatchSize = 100;
    public const int MaxAttempts = 5;

    /// <summary>The wait after the first failed attempt; each later one waits four times longer (30 s, 2, 8, 32 min).</summary>
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(30);

    [Queue(JobQueues.Webhooks)]
    public async Task RunPendingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await InOwnScopeAsync(b => b.ProcessAsync(BatchSize, only: null, cancellationToken));
            if (batch.Claimed.Count == 0) return;
            if (batch.Failure is null) continue;

            logger.LogWarning("A batch of {Count} webhooks failed ({Reason}); trying each alone", batch.Claimed.Count, batch.Failure.Message);
            foreach (var delivery in batch.Claimed)
            {
                var alone = batch.Claimed.Count == 1 ? batch : await InOwnScopeAsync(b => b.ProcessAsync(1, delivery, cancellationToken));
                if (alone.Failure is not null) await RecordFailedAttemptAsync(delivery, alone.Failure, cancellationToken);
            }
        }
    }

    /// <summary>Each try gets a fresh DbContext and SyncWriter: nothing a failed transaction queued or tracked leaks into the next.</summary>
    private async Task<WebhookBatch.Result> InOwnScopeAsync(Func<WebhookBatch, Task<WebhookBatch.Result>> run)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await run(scope.ServiceProvider.GetRequiredService<WebhookBatch>());
    }

    private async Task RecordFailedAttemptAsync(WebhookBatch.Delivery delivery, Exception failure, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var reason = $"{failure.GetType().Name}: {failure.Message}";
        if (reason.Length > 2000) reason = reason[..2000];
        var receipt = await db.WebhookReceipts.SingleOrDefaultAsync(
            r => r.ShopDomain == delivery.ShopDomain && r.WebhookId == delivery.WebhookId && r.Status == WebhookReceiptStatus.Received, cancellationToken);
        if (receipt is null) return;
        receipt.Attempts++;
        receipt.Error = reason;
        if (receipt.Attempts >= MaxAttempts)
        {
            receipt.Status = WebhookReceiptStatus.Failed;
            receipt.NextAttemptAt = null;
            receipt.ProcessedAt = now;
            logger.LogError("Webhook {WebhookId} ({Topic}) for {Shop} failed {Attempts} times and is set aside: {Reason}",
                receipt.WebhookId, receipt.Topic, receipt.ShopDomain, receipt.Attempts, reason);
        }
        else
        {
            receipt.NextAttemptAt = now + FirstBackOff * Math.Pow(4, receipt.Attempts - 1);
            logger.LogWarning("Webhook {WebhookId} ({Topic}) for {Shop} failed (attempt {Attempts} of {MaxAttempts}), next try at {NextAttemptAt}: {Reason}",
                receipt.WebhookId, receipt.Topic, receipt.ShopDomain, receipt.Attempts, MaxAttempts, receipt.NextAttemptAt, reason);
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        if (receipt.Status == WebhookReceiptStatus.Failed) metrics.WebhookQuarantined(receipt.Topic);
    }
}
