using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit.Utils;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>A saved view emailed on its schedule: the first rows inline, every row in the CSV; once per period.</summary>
public sealed class ScheduledReportJob(
    WinBackDbContext db,
    DeliveryClaims claims,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    DigestMailer mailer,
    IOptions<ShopifyAppOptions> app,
    TimeProvider time)
{
    public const int InlineRows = 25;

    [AutomaticRetry(Attempts = 6)]
    public async Task RunAsync(long shopId, long reportId, string period, string claimant, CancellationToken cancellationToken)
    {
        var report = await db.ScheduledReports.AsNoTracking().SingleOrDefaultAsync(r => r.ShopId == shopId && r.Id == reportId, cancellationToken);
        var view = report is null ? null : await db.SavedViews.AsNoTracking().SingleOrDefaultAsync(v => v.ShopId == shopId && v.Id == report.SavedViewId, cancellationToken);
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        if (report is not { Recipients.Count: > 0 } || view is null || !installed) return;

        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(view.Query, scope.ThresholdWeeks);
        if (errors.Count > 0)
        {
            await RecordErrorAsync(shopId, reportId, $"The view \"{view.Name}\" no longer fits your settings: {errors.First().Value[0]} Edit the view and save it again.");
            return;
        }
        var delivery = await claims.ClaimAsync(shopId, DigestDelivery.ScheduledReport(reportId), period, claimant, report.Recipients,
            MimeUtils.GenerateMessageId(mailer.MessageIdDomain), cancellationToken);
        if (delivery is null) return;

        try
        {
            var total = await query.CountAsync(scope, filter, cancellationToken);
            var first = (await query.PageAsync(scope, filter with { PageSize = InlineRows }, cancellationToken)).Rows.Select(r => ReportEndpoints.ToRow(r, scope)).ToList();
            await using var csv = await CustomersCsv.WriteTempFileAsync(scope, query.AllAsync(scope, filter, cancellationToken), cancellationToken);
            var reportUrl = app.Value.AdminReportUrl(scope.ShopDomain);
            await mailer.SendAsync(DigestEmail.Report(scope, view.Name, filter.ToQueryString(), total, first, mailer.From, report.Recipients, delivery.MessageId, reportUrl, csv),
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await RecordErrorAsync(shopId, reportId, DigestFailure.Describe(e));
            throw;
        }
        await claims.MarkSentAsync(delivery, report.Recipients, null, cancellationToken);
        await db.ScheduledReports.Where(r => r.ShopId == shopId && r.Id == reportId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.LastErrorAt, (DateTimeOffset?)null), cancellationToken);
    }

    private Task RecordErrorAsync(long shopId, long reportId, string reason) =>
        db.ScheduledReports.Where(r => r.ShopId == shopId && r.Id == reportId)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.LastError, reason).SetProperty(x => x.LastErrorAt, time.GetUtcNow()), CancellationToken.None);
}
