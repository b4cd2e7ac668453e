using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>A saved view emailed on its schedule: the first rows inline, every row in the CSV; once per period, through the outbox.</summary>
public sealed class ScheduledReportJob(
    WinBackDbContext db,
    DeliveryOutbox outbox,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    WinBackOutcomes outcomes,
    DigestMailer mailer,
    IOptions<ShopifyAppOptions> app,
    TimeProvider time)
{
    public const int InlineRows = 25;

    [AutomaticRetry(Attempts = 0), Queue(JobQueues.Email)]
    public async Task RunAsync(long shopId, long reportId, string period, string claimant, CancellationToken cancellationToken)
    {
        var kind = DigestDelivery.ScheduledReport(reportId);
        var report = await db.ScheduledReports.AsNoTracking().SingleOrDefaultAsync(r => r.ShopId == shopId && r.Id == reportId, cancellationToken);
        var view = report is null ? null : await db.SavedViews.AsNoTracking().SingleOrDefaultAsync(v => v.ShopId == shopId && v.Id == report.SavedViewId, cancellationToken);
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        if (report is not { Recipients.Count: > 0 } || view is null || !installed)
        {
            await outbox.AbandonAsync(shopId, kind, period, "The report (or its view) was deleted, or WinBack uninstalled, before it could be sent.", cancellationToken);
            return;
        }

        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(view.Query, scope.ThresholdWeeks);
        if (errors.Count > 0)
        {
            var reason = $"The view \"{view.Name}\" no longer fits your settings: {errors.First().Value[0]} Edit the view and save it again.";
            await RecordErrorAsync(shopId, reportId, reason);
            await outbox.AbandonAsync(shopId, kind, period, reason, cancellationToken);
            return;
        }
        var dueAt = DigestSchedule.DueAtOf(period, report.Frequency, scope.Calendar.Zone, report.Day, report.Hour);
        var delivery = await outbox.StartAttemptAsync(shopId, kind, period, dueAt, claimant, report.Recipients, cancellationToken);
        if (delivery is null) return;

        OutgoingList outgoing;
        try
        {
            // The control group's customers are left out of the rows, the CSV and the count, and recorded as held out.
            outgoing = await outcomes.StartListAsync(scope, ListingChannels.ScheduledReport, cancellationToken, keepFirst: InlineRows);
            await using var csv = await CustomersCsv.WriteTempFileAsync(scope, outgoing.ContactedOf(query.AllAsync(scope, filter, cancellationToken), cancellationToken), cancellationToken);
            var reportUrl = app.Value.AdminReportUrl(scope.ShopDomain);
            await outbox.SendAsync(delivery, DigestEmail.Report(scope, view.Name, filter.ToQueryString(), filter.List, outgoing.Contacted, outgoing.First, mailer.From, report.Recipients,
                delivery.MessageId, reportUrl, csv), null, cancellationToken);
        }
        catch (Exception e) when (DeliveryOutbox.FailedBeforeAcceptance(e))
        {
            await outbox.RecordFailureAsync(delivery, e);
            await RecordErrorAsync(shopId, reportId, DigestFailure.Describe(e));
            return;
        }
        await outcomes.RecordAsync(outgoing, CancellationToken.None);
        await db.ScheduledReports.Where(r => r.ShopId == shopId && r.Id == reportId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.LastErrorAt, (DateTimeOffset?)null), CancellationToken.None);
    }

    private Task RecordErrorAsync(long shopId, long reportId, string reason) =>
        db.ScheduledReports.Where(r => r.ShopId == shopId && r.Id == reportId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.LastError, reason).SetProperty(x => x.LastErrorAt, time.GetUtcNow()), CancellationToken.None);
}
