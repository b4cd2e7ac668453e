using Hangfire;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Digests;

/// <summary>An email whose period has come: a shop's weekly digest, its daily high-value alert, or one of its scheduled reports.</summary>
public sealed record DueEmail(string Kind, long ShopId, string Period, long? ReportId = null);

/// <summary>
/// Every 15 minutes: abandons what the outbox could not send within <see cref="MaxLateness"/> of its hour, then queues
/// one job per installed shop and email whose current period (in the shop's timezone) is due and has no delivery yet,
/// and one per delivery of any period ready for another attempt (<see cref="DeliveryOutbox.ReadyForAttempt"/>): a period
/// counts as done only when it is Sent or Abandoned. Safe on several servers at once: the outbox lets one attempt start.
/// </summary>
public sealed class DigestDispatcher(WinBackDbContext db, DeliveryOutbox outbox, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string RecurringId = "digests:dispatch";
    public const string Cron = "*/15 * * * *";

    /// <summary>An email not sent within two days of its hour (servers down, or switched on mid-period) waits for the next period.</summary>
    public static readonly TimeSpan MaxLateness = TimeSpan.FromDays(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await outbox.AbandonOverdueAsync(cancellationToken);
        foreach (var due in await DueAsync(cancellationToken))
        {
            var claimant = Guid.NewGuid().ToString("N");
            switch (due.Kind)
            {
                case DigestDelivery.WeeklyDigest:
                    jobs.Enqueue<DigestJob>(job => job.RunAsync(due.ShopId, due.Period, claimant, CancellationToken.None));
                    break;
                case DigestDelivery.HighValueAlert:
                    jobs.Enqueue<AlertJob>(job => job.RunAsync(due.ShopId, due.Period, claimant, CancellationToken.None));
                    break;
                default:
                    jobs.Enqueue<ScheduledReportJob>(job => job.RunAsync(due.ShopId, due.ReportId!.Value, due.Period, claimant, CancellationToken.None));
                    break;
            }
        }
    }

    public async Task<IReadOnlyList<DueEmail>> DueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var installed = db.Shops.Where(s => s.UninstalledAt == null);
        var digests = await db.DigestSettings.AsNoTracking()
            .Where(d => (d.Enabled || d.AlertsEnabled) && d.Recipients.Count > 0)
            .Join(installed, d => d.ShopId, s => s.Id, (d, s) => new { d.ShopId, d.Enabled, d.AlertsEnabled, d.AlertQuietDay, d.Day, d.Hour, s.IanaTimezone })
            .ToListAsync(cancellationToken);
        var reports = await db.ScheduledReports.AsNoTracking()
            .Where(r => r.Recipients.Count > 0)
            .Join(installed, r => r.ShopId, s => s.Id, (r, s) => new { r.ShopId, r.Id, r.Frequency, r.Day, r.Hour, s.IanaTimezone })
            .ToListAsync(cancellationToken);

        var candidates = new List<(DueEmail Email, DateTimeOffset At)>();
        foreach (var d in digests)
        {
            var zone = DigestSchedule.ZoneOf(d.IanaTimezone);
            if (d.Enabled)
            {
                var week = DigestSchedule.ThisWeek(zone, d.Day, d.Hour, now);
                candidates.Add((new DueEmail(DigestDelivery.WeeklyDigest, d.ShopId, week.Period), week.At));
            }
            if (d.AlertsEnabled)
            {
                var day = DigestSchedule.ThisPeriod(ReportFrequency.Daily, zone, d.Day, d.Hour, now);
                if (day.Period != d.AlertQuietDay) candidates.Add((new DueEmail(DigestDelivery.HighValueAlert, d.ShopId, day.Period), day.At));
            }
        }
        foreach (var r in reports)
        {
            var period = DigestSchedule.ThisPeriod(r.Frequency, DigestSchedule.ZoneOf(r.IanaTimezone), r.Day, r.Hour, now);
            candidates.Add((new DueEmail(DigestDelivery.ScheduledReport(r.Id), r.ShopId, period.Period, r.Id), period.At));
        }

        var due = candidates.Where(c => c.At <= now && now - c.At < MaxLateness).Select(c => c.Email).ToList();
        var shopIds = due.Select(d => d.ShopId).Distinct().ToArray();
        var periods = due.Select(d => d.Period).Distinct().ToArray();
        var started = (await db.DigestDeliveries.AsNoTracking()
                .Where(d => shopIds.Contains(d.ShopId) && periods.Contains(d.Period))
                .Select(d => new { d.ShopId, d.Kind, d.Period }).ToListAsync(cancellationToken))
            .Select(d => (d.ShopId, d.Kind, d.Period)).ToHashSet();
        var again = await outbox.ReadyForAttempt(db.DigestDeliveries.AsNoTracking(), now)
            .Where(d => installed.Any(s => s.Id == d.ShopId))
            .Select(d => new { d.Kind, d.ShopId, d.Period }).ToListAsync(cancellationToken);
        return due.Where(d => !started.Contains((d.ShopId, d.Kind, d.Period)))
            .Concat(again.Select(d => new DueEmail(d.Kind, d.ShopId, d.Period, DigestDelivery.ReportIdOf(d.Kind))))
            .ToList();
    }
}
