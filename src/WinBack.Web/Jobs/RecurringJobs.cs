using Hangfire;
using Microsoft.Extensions.Options;
using WinBack.Web.Digests;
using WinBack.Web.Predictions;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Sheets;
using WinBack.Web.ShopifyTags;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Jobs;

/// <summary>
/// Registers WinBack's recurring jobs once the app has started. Only servers that run jobs do it (the registration is
/// idempotent, so several may); a database that is not reachable yet is tried again a little later.
/// </summary>
public sealed class RecurringJobs(IServiceProvider services, IOptions<JobsOptions> options, ILogger<RecurringJobs> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunServer) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Register(services.GetRequiredService<IRecurringJobManager>());
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not register the recurring jobs; trying again in 30 s");
                await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);
            }
        }
    }

    public static void Register(IRecurringJobManager recurring)
    {
        // The safety net for webhooks recorded but never queued (a crash between the two).
        recurring.AddOrUpdate<WebhookProcessingJob>(WebhookJobs.RecurringId, job => job.RunPendingAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<ReconciliationDispatcher>(ReconciliationDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        recurring.AddOrUpdate<WebhookBodyRetentionJob>(WebhookBodyRetentionJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Daily(1));
        recurring.AddOrUpdate<DataRetentionDispatcher>(DataRetentionDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Daily(2));
        recurring.AddOrUpdate<RetentionSnapshotDispatcher>(RetentionSnapshotDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Daily(3));
        // Daily check, weekly refit per shop: shops installed on different days spread over the week.
        recurring.AddOrUpdate<CustomerPredictionDispatcher>(CustomerPredictionDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Daily(4));
        recurring.AddOrUpdate<CustomerTagDispatcher>(CustomerTagDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Daily(5));
        recurring.AddOrUpdate<DigestDispatcher>(DigestDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), DigestDispatcher.Cron);
        recurring.AddOrUpdate<SheetSyncDispatcher>(SheetSyncDispatcher.RecurringId, job => job.RunAsync(CancellationToken.None), "*/15 * * * *");
    }
}
