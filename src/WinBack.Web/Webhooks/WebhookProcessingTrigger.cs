using Hangfire;
using WinBack.Web.Jobs;

namespace WinBack.Web.Webhooks;

/// <summary>
/// Turns "a delivery was recorded" into a queued <see cref="WebhookProcessingJob"/>: at most one per tenth of a second per
/// server however many webhooks arrive, so answering Shopify costs one insert and no Hangfire round trips; and none while
/// one is still waiting in the queue, since that one applies everything recorded before it starts (a pile of such jobs
/// would stand ahead of real work, a killed server's jobs included, on the webhook workers). A recurring run each minute
/// (<see cref="WebhookJobs.RecurringId"/>) picks up anything a crash left between the insert and the queue.
/// </summary>
public sealed class WebhookProcessingTrigger(IServiceProvider services, ILogger<WebhookProcessingTrigger> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private int _pending;

    public void Notify() => Volatile.Write(ref _pending, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (Interlocked.Exchange(ref _pending, 0) == 0) continue;
            try
            {
                // Resolved on first use: Hangfire's storage connects to PostgreSQL when it is built.
                if (services.GetRequiredService<JobStorage>().GetMonitoringApi().EnqueuedCount(JobQueues.Webhooks) > 0) continue;
                services.GetRequiredService<IBackgroundJobClient>().Enqueue<WebhookProcessingJob>(job => job.RunPendingAsync(CancellationToken.None));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Notify();
                logger.LogWarning(e, "Could not queue webhook processing; trying again shortly");
            }
        }
    }
}

public static class WebhookJobs
{
    public const string RecurringId = "webhooks:process-pending";
}
