using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit.Utils;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

/// <summary>
/// The high-value alert (off by default): once a day at the digest's hour, the high-value customers whose time away
/// reached the threshold today, if there are any. One email per shop and local day, by the same claim as the digest.
/// </summary>
public sealed class AlertJob(
    WinBackDbContext db,
    DeliveryClaims claims,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    DigestMailer mailer,
    IOptions<ShopifyAppOptions> app,
    TimeProvider time,
    ILogger<AlertJob> logger)
{
    [AutomaticRetry(Attempts = 6)]
    public async Task RunAsync(long shopId, string period, string claimant, CancellationToken cancellationToken)
    {
        var settings = await db.DigestSettings.AsNoTracking()
            .Where(s => s.ShopId == shopId && s.AlertsEnabled && db.Shops.Any(shop => shop.Id == shopId && shop.UninstalledAt == null))
            .SingleOrDefaultAsync(cancellationToken);
        if (settings is not { Recipients.Count: > 0 }) return;

        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var threshold = scope.ThresholdWeeks;
        var (filter, _) = InactiveCustomersFilter.Parse($"minWeeks={threshold}&maxWeeks={threshold}&highValue=true&sort=totalSpent&pageSize=250", threshold);
        var crossedOn = scope.Calendar.Today.AddDays(-7 * threshold);
        var crossed = (await query.PageAsync(scope, filter, cancellationToken)).Rows
            .Where(r => r.LastOrderDate == crossedOn).Select(r => ReportEndpoints.ToRow(r, scope)).ToList();
        if (crossed.Count == 0)
        {
            logger.LogInformation("No high-value customer of shop {ShopId} reached the threshold today", shopId);
            return;
        }

        var delivery = await claims.ClaimAsync(shopId, DigestDelivery.HighValueAlert, period, claimant, settings.Recipients,
            MimeUtils.GenerateMessageId(mailer.MessageIdDomain), cancellationToken);
        if (delivery is null) return;
        var reportUrl = app.Value.AdminReportUrl(scope.ShopDomain);
        try
        {
            await mailer.SendAsync(DigestEmail.Alert(scope, crossed, mailer.From, settings.Recipients, delivery.MessageId, reportUrl), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await db.DigestSettings.Where(s => s.ShopId == shopId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.LastError, "Alert: " + DigestFailure.Describe(e)).SetProperty(x => x.LastErrorAt, time.GetUtcNow()), CancellationToken.None);
            throw;
        }
        await claims.MarkSentAsync(delivery, settings.Recipients, null, cancellationToken);
    }
}
