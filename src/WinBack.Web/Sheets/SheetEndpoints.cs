using System.Security.Claims;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Sheets;

public sealed record SheetSyncDto(long Id, string SpreadsheetId, string Tab, long? ViewId, string? ViewName, string Frequency, DateTimeOffset? LastRunAt,
    DateTimeOffset? LastSuccessAt, int RowsWritten, string? LastError, bool Paused, DateTimeOffset? NextRunAt = null);

public sealed record SheetsPage(string? ServiceAccountEmail, IReadOnlyList<SheetSyncDto> Syncs);

public sealed record ConnectSheetRequest(string? Spreadsheet, string? Tab, long? ViewId, string? Frequency);

/// <summary>The Google Sheet syncs of a shop: connect (checked against Google at once), run now, remove.</summary>
public static partial class SheetEndpoints
{
    public static IEndpointRouteBuilder MapSheetsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sheets").RequireAuthorization().WithTags("Google Sheets");
        group.MapGet("/", ListAsync);
        group.MapPost("/", ConnectAsync).WithSummary("Connects a spreadsheet tab (by id or URL) to a view; the spreadsheet must be shared with the service account.");
        group.MapPost("/{id:long}/run", RunNowAsync).WithSummary("Runs the sync now (and resumes a paused one).");
        group.MapDelete("/{id:long}", DeleteAsync);
        return routes;
    }

    private static async Task<SheetsPage> ListAsync(ClaimsPrincipal user, WinBackDbContext db, IOptions<SheetsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var zone = await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken);
        var syncs = await db.SheetSyncs.AsNoTracking().Where(s => s.ShopId == shopId).OrderBy(s => s.Id)
            .Select(s => new SheetSyncDto(s.Id, s.SpreadsheetId, s.TabName, s.SavedViewId,
                db.SavedViews.Where(v => v.ShopId == s.ShopId && v.Id == s.SavedViewId).Select(v => v.Name).FirstOrDefault(),
                s.Frequency.ToString(), s.LastRunAt, s.LastSuccessAt, s.RowsWritten, s.LastError, s.Paused))
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return new SheetsPage(options.Value.ServiceAccountEmail, syncs.Select(s => s with { NextRunAt = s.Paused ? null : NextRun(s, zone, now) }).ToList());
    }

    private static async Task<Results<Ok<SheetSyncDto>, ValidationProblem>> ConnectAsync(
        ConnectSheetRequest body, ClaimsPrincipal user, WinBackDbContext db, GoogleSheetsClient sheets, IBackgroundJobClient jobs, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var errors = new Dictionary<string, string[]>();
        var spreadsheetId = SpreadsheetIdOf(body.Spreadsheet);
        if (spreadsheetId is null) errors["spreadsheet"] = ["Paste the spreadsheet's address (https://docs.google.com/spreadsheets/d/…) or its id."];
        var tab = body.Tab?.Trim() ?? "";
        if (tab.Length is 0 or > 100 || tab.IndexOfAny(['[', ']', '*', '?', '/', '\\', ':']) >= 0) errors["tab"] = ["Name the tab with 1 to 100 characters, without [ ] * ? / \\ or :."];
        if (!Enum.TryParse<SheetSyncFrequency>(body.Frequency ?? nameof(SheetSyncFrequency.Daily), ignoreCase: true, out var frequency))
            errors["frequency"] = ["Choose daily, hourly or after each sync."];
        if (body.ViewId is { } viewId && !await db.SavedViews.AnyAsync(v => v.ShopId == shopId && v.Id == viewId, cancellationToken))
            errors["viewId"] = ["Choose one of your saved views, or none for every inactive customer."];
        if (errors.Count == 0)
        {
            try
            {
                await sheets.GetSpreadsheetAsync(spreadsheetId!, cancellationToken);
            }
            catch (SheetsException e)
            {
                errors["spreadsheet"] = [e.Message];
            }
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: "The sheet cannot be connected.");

        var sync = new SheetSync { ShopId = shopId, SpreadsheetId = spreadsheetId!, TabName = tab, SavedViewId = body.ViewId, Frequency = frequency, CreatedAt = time.GetUtcNow() };
        db.SheetSyncs.Add(sync);
        await db.SaveChangesAsync(cancellationToken);
        jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, sync.Id, CancellationToken.None));
        return TypedResults.Ok(new SheetSyncDto(sync.Id, sync.SpreadsheetId, sync.TabName, sync.SavedViewId, null, frequency.ToString(), null, null, 0, null, false));
    }

    private static async Task<Results<Accepted, NotFound>> RunNowAsync(long id, ClaimsPrincipal user, WinBackDbContext db, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var resumed = await db.SheetSyncs.Where(s => s.ShopId == shopId && s.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Paused, false).SetProperty(x => x.ConsecutiveFailures, 0), cancellationToken);
        if (resumed == 0) return TypedResults.NotFound();
        jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, id, CancellationToken.None));
        return TypedResults.Accepted("/api/sheets");
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(long id, ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        return await db.SheetSyncs.Where(s => s.ShopId == shopId && s.Id == id).ExecuteDeleteAsync(cancellationToken) == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    /// <summary>When the dispatcher will next run it (within its 15 minutes); after-sync sheets follow the data, not the clock.</summary>
    private static DateTimeOffset? NextRun(SheetSyncDto sync, string? zone, DateTimeOffset now)
    {
        switch (sync.Frequency)
        {
            case nameof(SheetSyncFrequency.Hourly):
                return sync.LastRunAt is { } last && last.AddHours(1) > now ? last.AddHours(1) : now;
            case nameof(SheetSyncFrequency.Daily):
                var calendar = Reports.ShopCalendar.For(zone, now);
                var today = calendar.StartOfDay(calendar.Today).AddHours(SheetSyncDispatcher.DailyHour);
                return sync.LastRunAt is { } run && run >= today ? calendar.StartOfDay(calendar.Today.AddDays(1)).AddHours(SheetSyncDispatcher.DailyHour) : today > now ? today : now;
            default:
                return null;
        }
    }

    /// <summary>The id from a spreadsheet URL (…/spreadsheets/d/{id}/edit…) or a bare id.</summary>
    public static string? SpreadsheetIdOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var match = UrlPattern().Match(text.Trim());
        var id = match.Success ? match.Groups[1].Value : text.Trim();
        return IdPattern().IsMatch(id) ? id : null;
    }

    [GeneratedRegex(@"/spreadsheets/d/([A-Za-z0-9_-]+)")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{10,128}$")]
    private static partial Regex IdPattern();
}
