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
    DateTimeOffset? LastSuccessAt, int RowsWritten, string? LastError, bool Paused, bool Verified, string? VerificationCode,
    DateTimeOffset? VerificationCodeExpiresAt, DateTimeOffset? NextRunAt = null);

/// <summary>The syncs, with where a merchant types a sync's code to prove the spreadsheet is theirs.</summary>
public sealed record SheetsPage(string? ServiceAccountEmail, string VerificationTab, string VerificationCell, IReadOnlyList<SheetSyncDto> Syncs);

public sealed record ConnectSheetRequest(string? Spreadsheet, string? Tab, long? ViewId, string? Frequency);

/// <summary>
/// The Google Sheet syncs of a shop: connect (checked against Google at once), prove the spreadsheet is the merchant's,
/// run now, remove. One service account serves every shop, so Google's permission alone cannot tell whose spreadsheet
/// it is: WinBack writes only after the merchant typed the sync's one-time code into the spreadsheet
/// (<see cref="SheetOwnership"/>), and a tab one shop proved cannot be connected by another.
/// </summary>
public static partial class SheetEndpoints
{
    private const string ValidationTitle = "The sheet cannot be connected.";

    public static IEndpointRouteBuilder MapSheetsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sheets").RequireAuthorization().WithTags("Google Sheets");
        group.MapGet("/", ListAsync);
        group.MapPost("/", ConnectAsync).WithSummary("Connects a spreadsheet tab (by id or URL) to a view; the spreadsheet must be shared with the service account. Nothing is written until it is verified.");
        group.MapPost("/{id:long}/verify", VerifyAsync).WithSummary("Checks that the sync's code is in the verification cell of the spreadsheet; then the sync runs.");
        group.MapPost("/{id:long}/code", NewCodeAsync).WithSummary("Issues a new verification code for a sync not verified yet.");
        group.MapPost("/{id:long}/run", RunNowAsync).WithSummary("Runs the sync now (and resumes a paused one).");
        group.MapDelete("/{id:long}", DeleteAsync).WithSummary("Stops the sync and clears the tab WinBack wrote.");
        return routes;
    }

    private static async Task<SheetsPage> ListAsync(ClaimsPrincipal user, WinBackDbContext db, IOptions<SheetsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var zone = await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken);
        var syncs = await db.SheetSyncs.AsNoTracking().Where(s => s.ShopId == shopId).OrderBy(s => s.Id)
            .Select(s => new { Sync = s, ViewName = db.SavedViews.Where(v => v.ShopId == s.ShopId && v.Id == s.SavedViewId).Select(v => v.Name).FirstOrDefault() })
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return new SheetsPage(options.Value.ServiceAccountEmail, SheetOwnership.VerificationTab, SheetOwnership.VerificationCell, syncs.Select(s =>
        {
            var dto = ToDto(s.Sync, s.ViewName);
            return dto with { NextRunAt = s.Sync.Paused || !dto.Verified ? null : NextRun(dto, zone, now) };
        }).ToList());
    }

    private static SheetSyncDto ToDto(SheetSync s, string? viewName) => new(s.Id, s.SpreadsheetId, s.TabName, s.SavedViewId, viewName, s.Frequency.ToString(),
        s.LastRunAt, s.LastSuccessAt, s.RowsWritten, s.LastError, s.Paused, s.VerifiedAt is not null, s.VerificationCode, s.VerificationCodeExpiresAt);

    private static async Task<Results<Ok<SheetSyncDto>, ValidationProblem>> ConnectAsync(
        ConnectSheetRequest body, ClaimsPrincipal user, WinBackDbContext db, GoogleSheetsClient sheets, IBackgroundJobClient jobs, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var errors = new Dictionary<string, string[]>();
        var spreadsheetId = SpreadsheetIdOf(body.Spreadsheet);
        if (spreadsheetId is null) errors["spreadsheet"] = ["Paste the spreadsheet's address (https://docs.google.com/spreadsheets/d/…) or its id."];
        else if (await db.SheetSyncs.CountAsync(s => s.ShopId == shopId, cancellationToken) >= SheetSync.MaxPerShop)
            errors["spreadsheet"] = [$"Your shop already keeps {SheetSync.MaxPerShop} sheets up to date, the most WinBack writes. Remove one to add another."];
        var tab = body.Tab?.Trim() ?? "";
        if (tab.Length is 0 or > 100 || tab.IndexOfAny(['[', ']', '*', '?', '/', '\\', ':']) >= 0) errors["tab"] = ["Name the tab with 1 to 100 characters, without [ ] * ? / \\ or :."];
        else if (tab.Equals(SheetOwnership.VerificationTab, StringComparison.OrdinalIgnoreCase))
            errors["tab"] = [$"The “{SheetOwnership.VerificationTab}” tab is for the verification code. Choose another tab for your customers."];
        if (!Enum.TryParse<SheetSyncFrequency>(body.Frequency ?? nameof(SheetSyncFrequency.Daily), ignoreCase: true, out var frequency))
            errors["frequency"] = ["Choose daily, hourly or after each sync."];
        if (body.ViewId is { } viewId && !await db.SavedViews.AnyAsync(v => v.ShopId == shopId && v.Id == viewId, cancellationToken))
            errors["viewId"] = ["Choose one of your saved views, or none for every inactive customer."];
        if (errors.Count == 0 && await TabTakenAsync(db, shopId, spreadsheetId!, tab, cancellationToken) is { } taken) errors["tab"] = [taken];
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
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: ValidationTitle);

        var now = time.GetUtcNow();
        var sync = new SheetSync { ShopId = shopId, SpreadsheetId = spreadsheetId!, TabName = tab, SavedViewId = body.ViewId, Frequency = frequency, CreatedAt = now };
        // A spreadsheet this shop proved already needs no second proof for another tab.
        if (await db.SheetSyncs.AnyAsync(s => s.ShopId == shopId && s.SpreadsheetId == spreadsheetId && s.VerifiedAt != null, cancellationToken)) sync.VerifiedAt = now;
        else SheetOwnership.IssueCode(sync, now);
        db.SheetSyncs.Add(sync);
        if (await SaveUnlessTakenAsync(db, shopId, sync, cancellationToken) is { } takenMeanwhile) return TakenProblem("tab", takenMeanwhile);
        if (sync.VerifiedAt is not null) jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, sync.Id, CancellationToken.None));
        return TypedResults.Ok(ToDto(sync, null));
    }

    private static async Task<Results<Ok<SheetSyncDto>, NotFound, ValidationProblem>> VerifyAsync(
        long id, ClaimsPrincipal user, WinBackDbContext db, GoogleSheetsClient sheets, IBackgroundJobClient jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var sync = await db.SheetSyncs.SingleOrDefaultAsync(s => s.ShopId == shopId && s.Id == id, cancellationToken);
        if (sync is null) return TypedResults.NotFound();
        if (sync.VerifiedAt is null)
        {
            var failure = await SheetOwnership.CheckAsync(sync, sheets, time.GetUtcNow(), cancellationToken)
                ?? await TabTakenAsync(db, shopId, sync.SpreadsheetId, sync.TabName, cancellationToken, ownSyncId: id);
            if (failure is not null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["verification"] = [failure] }, detail: failure, title: "The spreadsheet is not verified yet.");
            (sync.VerifiedAt, sync.VerificationCode, sync.VerificationCodeExpiresAt) = (time.GetUtcNow(), null, null);
            if (await SaveUnlessTakenAsync(db, shopId, sync, cancellationToken) is { } takenMeanwhile) return TakenProblem("verification", takenMeanwhile);
            jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, id, CancellationToken.None));
        }
        return TypedResults.Ok(ToDto(sync, null));
    }

    private static async Task<Results<Ok<SheetSyncDto>, NotFound>> NewCodeAsync(long id, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var sync = await db.SheetSyncs.SingleOrDefaultAsync(s => s.ShopId == shopId && s.Id == id, cancellationToken);
        if (sync is null) return TypedResults.NotFound();
        if (sync.VerifiedAt is null)
        {
            SheetOwnership.IssueCode(sync, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(ToDto(sync, null));
    }

    private static async Task<Results<Accepted, NotFound, ProblemHttpResult>> RunNowAsync(long id, ClaimsPrincipal user, WinBackDbContext db, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var verified = await db.SheetSyncs.Where(s => s.ShopId == shopId && s.Id == id).Select(s => (bool?)(s.VerifiedAt != null)).SingleOrDefaultAsync(cancellationToken);
        if (verified is null) return TypedResults.NotFound();
        if (verified == false)
            return TypedResults.Problem($"WinBack writes to a spreadsheet only once you have verified it is yours: type the code shown into cell {SheetOwnership.VerificationCell} of a tab named “{SheetOwnership.VerificationTab}”, then press Verify.",
                statusCode: StatusCodes.Status409Conflict, title: "The spreadsheet is not verified yet.");
        await db.SheetSyncs.Where(s => s.ShopId == shopId && s.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Paused, false).SetProperty(x => x.ConsecutiveFailures, 0), cancellationToken);
        jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(shopId, id, CancellationToken.None));
        return TypedResults.Accepted("/api/sheets");
    }

    /// <summary>The customers WinBack wrote leave with the sync. A sync never verified wrote nothing, and its tab may be someone else's.</summary>
    private static async Task<Results<NoContent, NotFound>> DeleteAsync(long id, ClaimsPrincipal user, WinBackDbContext db, IBackgroundJobClient jobs, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var sync = await db.SheetSyncs.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId && s.Id == id, cancellationToken);
        if (sync is null || await db.SheetSyncs.Where(s => s.ShopId == shopId && s.Id == id).ExecuteDeleteAsync(cancellationToken) == 0) return TypedResults.NotFound();
        if (sync.VerifiedAt is not null) jobs.Enqueue<SheetSyncJob>(job => job.ClearTabAsync(sync.SpreadsheetId, sync.TabName, CancellationToken.None));
        return TypedResults.NoContent();
    }

    /// <summary>Why this shop cannot have the tab: it already has it, or another shop proved it (Google's tab names ignore case).</summary>
    private static async Task<string?> TabTakenAsync(WinBackDbContext db, long shopId, string spreadsheetId, string tab, CancellationToken cancellationToken, long? ownSyncId = null)
    {
        var holders = await db.SheetSyncs.Where(s => s.SpreadsheetId == spreadsheetId && s.TabName.ToLower() == tab.ToLower() && (s.ShopId == shopId || s.VerifiedAt != null) && s.Id != ownSyncId)
            .Select(s => s.ShopId).ToListAsync(cancellationToken);
        if (holders.Any(h => h != shopId)) return TakenByAnotherStore;
        return holders.Count > 0 ? "This tab is already connected. Choose another tab name." : null;
    }

    private const string TakenByAnotherStore = "Another store already keeps this tab up to date. Choose another tab or another spreadsheet.";

    private static ValidationProblem TakenProblem(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] }, detail: reason, title: ValidationTitle);

    /// <summary>Advisory-lock namespace of tab claims: shops that take the same tab at the same moment check and save one after the other.</summary>
    private const int TabClaimLock = 0x57_42_54_43; // "WBTC"

    /// <returns>Null when the changes were saved; otherwise why the sync's tab is taken (another shop proved it a moment ago).</returns>
    private static async Task<string?> SaveUnlessTakenAsync(WinBackDbContext db, long shopId, SheetSync sync, CancellationToken cancellationToken)
    {
        string? taken = null;
        // Keyed by the name as Google compares it (case ignored), so two spellings of one tab wait for each other.
        await db.RunInTurnAsync(TabClaimLock, $"{sync.SpreadsheetId}/{sync.TabName.ToLowerInvariant()}", async () =>
        {
            taken = await TabTakenAsync(db, shopId, sync.SpreadsheetId, sync.TabName, cancellationToken, ownSyncId: sync.Id == 0 ? null : sync.Id);
            if (taken is null) await db.SaveChangesAsync(cancellationToken);
        }, cancellationToken);
        return taken;
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
