using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>
/// The high-value alert (off by default): once a day at the digest's hour, the high-value customers whose time away
/// reached the threshold today, if there are any. One email per shop and local day, through the same outbox as the digest.
/// </summary>
public sealed class AlertJob(
    WinBackDbContext db,
    DeliveryOutbox outbox,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    DigestMailer mailer,
    IOptions<ShopifyAppOptions> app,
    ILogger<AlertJob> logger)
{
    [AutomaticRetry(Attempts = 0), Queue(JobQueues.Email)]
    public async Task RunAsync(long shopId, string period, string claimant, CancellationToken cancellationToken)
    {
        var settings = await db.DigestSettings.AsNoTracking()
            .Where(s => s.ShopId == shopId && s.AlertsEnabled && db.Shops.Any(shop => shop.Id == shopId && shop.UninstalledAt == null))
            .SingleOrDefaultAsync(cancellationToken);
        if (settings is not { Recipients.Count: > 0 })
        {
            await outbox.AbandonAsync(shopId, DigestDelivery.HighValueAlert, period, "Alerts were switched off (or WinBack uninstalled) before it could be sent.", cancellationToken);
            return;
        }

        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var threshold = scope.ThresholdWeeks;
        var (filter, _) = InactiveCustomersFilter.Parse($"minWeeks={threshold}&maxWeeks={threshold}&highValue=true&sort=totalSpent&pageSize=250", threshold);
        var crossedOn = scope.Calendar.Today.AddDays(-WinBackRules.InactiveAfterDays(threshold));
        var crossed = (await query.PageAsync(scope, filter, cancellationToken)).Rows
            .Where(r => r.LastOrderDate == crossedOn).Select(r => ReportCustomer.From(r, scope)).ToList();
        if (crossed.Count == 0)
        {
            logger.LogInformation("No high-value customer of shop {ShopId} reached the threshold today", shopId);
            // The day's alert is done: without this, a quiet day leaves no delivery and the dispatcher asks again every quarter hour.
            await db.DigestSettings.Where(s => s.ShopId == shopId).ExecuteUpdateAsync(s => s.SetProperty(x => x.AlertQuietDay, period), cancellationToken);
            await outbox.AbandonAsync(shopId, DigestDelivery.HighValueAlert, period, "By the next attempt, no high-value customer was left to tell you about.", cancellationToken);
            return;
        }

        var dueAt = DigestSchedule.DueAtOf(period, ReportFrequency.Daily, scope.Calendar.Zone, settings.Day, settings.Hour);
        var delivery = await outbox.StartAttemptAsync(shopId, DigestDelivery.HighValueAlert, period, dueAt, claimant, settings.Recipients, cancellationToken);
        if (delivery is null) return;
        try
        {
            var reportUrl = app.Value.AdminReportUrl(scope.ShopDomain);
            await outbox.SendAsync(delivery, DigestEmail.Alert(scope, crossed, mailer.From, settings.Recipients, delivery.MessageId, reportUrl), null, cancellationToken);
        }
        catch (Exception e) when (DeliveryOutbox.FailedBeforeAcceptance(e))
        {
            await outbox.RecordFailureAsync(delivery, e);
        }
    }
}
