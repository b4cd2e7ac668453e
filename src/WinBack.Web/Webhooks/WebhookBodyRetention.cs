using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;

namespace WinBack.Web.Webhooks;

/// <summary>The <c>Webhooks</c> section: how long delivery records, which hold customers' names and emails, are kept.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Days an applied delivery is kept: long enough to recognise Shopify's redeliveries (it retries for up to
    /// 48 hours), short enough that the bodies do not become a second customer database.</summary>
    [System.ComponentModel.DataAnnotations.Range(3, 365)]
    public int KeepProcessedDays { get; set; } = 7;

    /// <summary>Days a delivery set aside as Failed is kept for the operator to inspect and replay.</summary>
    [System.ComponentModel.DataAnnotations.Range(3, 365)]
    public int KeepFailedDays { get; set; } = 30;
}

/// <summary>Nightly: deletes delivery records past their keeping period (<see cref="WebhookOptions"/>).</summary>
public sealed class WebhookBodyRetentionJob(WinBackDbContext db, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookBodyRetentionJob> logger)
{
    public const string RecurringId = "webhooks:forget-old-deliveries";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var processedBefore = now.AddDays(-options.Value.KeepProcessedDays);
        var failedBefore = now.AddDays(-options.Value.KeepFailedDays);
        var deleted = await db.WebhookReceipts
            .Where(r => (r.Status == WebhookReceiptStatus.Processed && r.ReceivedAt < processedBefore)
                     || (r.Status == WebhookReceiptStatus.Failed && r.ReceivedAt < failedBefore))
            .ExecuteDeleteAsync(cancellationToken);
        logger.LogInformation("Deleted {Count} webhook deliveries past their keeping period", deleted);
    }
}
