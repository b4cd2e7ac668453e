using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

public sealed record DigestSettingsDto(bool Enabled, IReadOnlyList<string> Recipients, string Day, int Hour, bool AttachCsv, bool AlertsEnabled = false);

public sealed record ScheduledReportDto(long Id, long ViewId, string ViewName, string Frequency, string Day, int Hour, IReadOnlyList<string> Recipients,
    string? LastError, DateTimeOffset? NextAt);

public sealed record ScheduleReportRequest(long ViewId, string Frequency, string Day, int Hour, IReadOnlyList<string> Recipients);

/// <summary>
/// One email of the outbox as the settings page shows it: <see cref="Status"/> is Sending, Sent, Retrying (until
/// <see cref="RetryingUntil"/>, next at <see cref="NextAttemptAt"/>) or Abandoned; <see cref="Problem"/> says what went wrong.
/// </summary>
public sealed record DeliveryDto(string Kind, string Period, string Status, DateTimeOffset? SentAt, IReadOnlyList<string> Recipients,
    int Attempts, string? Problem, DateTimeOffset? NextAttemptAt, DateTimeOffset? RetryingUntil);

/// <summary>The digest section: its settings, the state of the latest week's digest, the last one sent, and the latest emails of every kind.</summary>
public sealed record DigestPage(DigestSettingsDto Settings, DeliveryDto? Digest, DeliveryDto? LastSentDigest, DateTimeOffset? NextDigestAt, IReadOnlyList<DeliveryDto> Recent);

/// <summary>The digest's settings for the settings page: recipients, day and hour, attachment, a test send, recent deliveries.</summary>
public static class DigestEndpoints
{
    public static IEndpointRouteBuilder MapDigestApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/digest").RequireAuthorization().WithTags("Digest");
        group.MapGet("/", GetAsync);
        group.MapPut("/", SaveAsync);
        group.MapPost("/test", SendTestAsync).WithSummary("Sends the digest now to the saved recipients, marked as a test.").RequireRateLimiting(ShopRateLimits.TestSends);

        var reports = routes.MapGroup("/api/scheduled-reports").RequireAuthorization().WithTags("Digest");
        reports.MapGet("/", ListReportsAsync);
        reports.MapPost("/", ScheduleReportAsync).WithSummary("Emails a saved view daily, weekly or monthly (inline table and CSV).");
        reports.MapDelete("/{id:long}", DeleteReportAsync);
        return routes;
    }

    private static readonly System.Linq.Expressions.Expression<Func<DigestDelivery, DeliveryDto>> ToDeliveryDto = d =>
        new DeliveryDto(d.Kind, d.Period, d.Status.ToString(), d.SentAt, d.Recipients, d.Attempts, d.LastError, d.NextAttemptAt, d.GiveUpAt);

    private static async Task<DigestPage> GetAsync(ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var settings = await db.DigestSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken) ?? new DigestSettings { ShopId = shopId };
        var zone = await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken);
        var deliveries = db.DigestDeliveries.AsNoTracking().Where(d => d.ShopId == shopId);
        var weekly = deliveries.Where(d => d.Kind == DigestDelivery.WeeklyDigest).OrderByDescending(d => d.Period);
        var digest = await weekly.Select(ToDeliveryDto).FirstOrDefaultAsync(cancellationToken);
        var lastSent = await weekly.Where(d => d.Status == DeliveryStatus.Sent).Select(ToDeliveryDto).FirstOrDefaultAsync(cancellationToken);
        var recent = await deliveries.OrderByDescending(d => d.ClaimedAt).Take(5).Select(ToDeliveryDto).ToListAsync(cancellationToken);
        return new DigestPage(ToDto(settings), digest, lastSent, settings.Enabled ? NextDigest(settings, zone, time.GetUtcNow(), digest) : null, recent);
    }

    private static async Task<Results<Ok<DigestSettingsDto>, ValidationProblem>> SaveAsync(
        DigestSettingsDto body, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var recipients = ValidRecipients(body.Recipients, required: body.Enabled || body.AlertsEnabled, errors);
        var day = ValidDay(body.Day, body.Hour, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: "The digest settings cannot be saved.");

        var shopId = user.ShopId();
        var settings = await db.DigestSettings.SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        if (settings is null) db.DigestSettings.Add(settings = new DigestSettings { ShopId = shopId });
        (settings.Enabled, settings.Recipients, settings.Day, settings.Hour, settings.AttachCsv, settings.AlertsEnabled, settings.UpdatedAt) =
            (body.Enabled, recipients, day, body.Hour, body.AttachCsv, body.AlertsEnabled, time.GetUtcNow());
        settings.AlertQuietDay = null; // today's alert is asked again, with these settings
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToDto(settings));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SendTestAsync(ClaimsPrincipal user, DigestJob job, CancellationToken cancellationToken)
    {
        try
        {
            await job.SendTestAsync(user.ShopId(), cancellationToken);
            return TypedResults.NoContent();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Problem(DigestFailure.Describe(e), statusCode: e is DigestNotConfiguredException ? 400 : 502, title: "The test digest was not sent.");
        }
    }

    private static DateTimeOffset NextDigest(DigestSettings settings, string? zone, DateTimeOffset now, DeliveryDto? latest)
    {
        var thisWeek = DigestSchedule.ThisWeek(DigestSchedule.ZoneOf(zone), settings.Day, settings.Hour, now);
        var startedThisWeek = latest?.Period == thisWeek.Period;
        return thisWeek.At > now && !startedThisWeek ? thisWeek.At : DigestSchedule.ThisWeek(DigestSchedule.ZoneOf(zone), settings.Day, settings.Hour, now.AddDays(7)).At;
    }

    private static DigestSettingsDto ToDto(DigestSettings s) => new(s.Enabled, s.Recipients, s.Day.ToString(), s.Hour, s.AttachCsv, s.AlertsEnabled);

    private static async Task<List<ScheduledReportDto>> ListReportsAsync(ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var zone = DigestSchedule.ZoneOf(await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken));
        var now = time.GetUtcNow();
        var rows = await db.ScheduledReports.AsNoTracking().Where(r => r.ShopId == shopId)
            .Join(db.SavedViews, r => new { r.ShopId, Id = r.SavedViewId }, v => new { v.ShopId, v.Id }, (r, v) => new { Report = r, v.Name })
            .OrderBy(x => x.Name).ToListAsync(cancellationToken);
        return rows.Select(x =>
        {
            var r = x.Report;
            var period = DigestSchedule.ThisPeriod(r.Frequency, zone, r.Day, r.Hour, now);
            var next = period.At > now ? period.At : DigestSchedule.ThisPeriod(r.Frequency, zone, r.Day, r.Hour, Advance(r.Frequency, now)).At;
            return new ScheduledReportDto(r.Id, r.SavedViewId, x.Name, r.Frequency.ToString(), r.Day.ToString(), r.Hour, r.Recipients, r.LastError, next);
        }).ToList();
    }

    private static DateTimeOffset Advance(ReportFrequency frequency, DateTimeOffset now) => frequency switch
    {
        ReportFrequency.Daily => now.AddDays(1),
        ReportFrequency.Weekly => now.AddDays(7),
        _ => now.AddMonths(1),
    };

    private static async Task<Results<Ok<ScheduledReportDto>, ValidationProblem>> ScheduleReportAsync(
        ScheduleReportRequest body, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var errors = new Dictionary<string, string[]>();
        var view = await db.SavedViews.AsNoTracking().SingleOrDefaultAsync(v => v.ShopId == shopId && v.Id == body.ViewId, cancellationToken);
        if (view is null) errors["viewId"] = ["Choose one of your saved views."];
        else if (await db.ScheduledReports.CountAsync(r => r.ShopId == shopId, cancellationToken) >= ScheduledReport.MaxPerShop)
            errors["viewId"] = [$"Your shop already emails {ScheduledReport.MaxPerShop} scheduled reports, the most WinBack sends. Remove one to add another."];
        if (!Enum.TryParse<ReportFrequency>(body.Frequency, ignoreCase: true, out var frequency)) errors["frequency"] = ["Choose daily, weekly or monthly."];
        var recipients = ValidRecipients(body.Recipients, required: true, errors);
        var day = ValidDay(body.Day, body.Hour, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: "The report cannot be scheduled.");

        var report = new ScheduledReport { ShopId = shopId, SavedViewId = view!.Id, Frequency = frequency, Day = day, Hour = body.Hour, Recipients = recipients, CreatedAt = time.GetUtcNow() };
        db.ScheduledReports.Add(report);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ScheduledReportDto(report.Id, view.Id, view.Name, frequency.ToString(), day.ToString(), report.Hour, recipients, null, null));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteReportAsync(long id, ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        return await db.ScheduledReports.Where(r => r.ShopId == shopId && r.Id == id).ExecuteDeleteAsync(cancellationToken) == 0
            ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    /// <summary>Addresses the merchant typed, trimmed and de-duplicated; every one must be an email address (they get customers' data).</summary>
    private static List<string> ValidRecipients(IEnumerable<string>? given, bool required, Dictionary<string, string[]> errors)
    {
        var recipients = (given ?? []).Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var invalid = recipients.Where(r => !MailboxAddress.TryParse(r, out var address) || !address.Address.Contains('@') || address.Address != r).ToList();
        if (invalid.Count > 0) errors["recipients"] = [$"These are not email addresses: {string.Join(", ", invalid)}."];
        else if (recipients.Count > DigestSettings.MaxRecipients) errors["recipients"] = [$"Send it to at most {DigestSettings.MaxRecipients} addresses."];
        else if (required && recipients.Count == 0) errors["recipients"] = ["Add at least one address to send it to."];
        return recipients;
    }

    private static DayOfWeek ValidDay(string? day, int hour, Dictionary<string, string[]> errors)
    {
        if (!Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var parsed)) errors["day"] = ["Choose a day of the week, like Monday."];
        if (hour is < 0 or > 23) errors["hour"] = ["Choose an hour from 0 to 23 (your shop's time)."];
        return parsed;
    }
}
