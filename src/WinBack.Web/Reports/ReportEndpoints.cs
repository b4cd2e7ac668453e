using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Predictions;
using WinBack.Web.Shops;

namespace WinBack.Web.Reports;

public sealed record ReportContext(string ShopDomain, string? ShopName, string CurrencyCode, string Timezone, DateOnly Today, int ThresholdWeeks,
    decimal HighValueLine, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<WindowInfo> Windows, IReadOnlyList<ChurnRiskInfo> ChurnRisks,
    IReadOnlyList<RfmSegmentInfo> RfmSegments, double AtRiskAliveLine, IReadOnlyList<Playbook> Playbooks, IReadOnlyList<string> Columns);

public sealed record ExportLink(string Url);

public sealed record SavedViewDto(long Id, string Name, string Query);

public sealed record SaveViewRequest(string? Name, string? Query);

public sealed record RenameViewRequest(string? Name);

/// <summary>The report API under the embedded page: session-token authenticated, one shop's data only, validated parameters.</summary>
public static class ReportEndpoints
{
    private const string ExportPurpose = "WinBack.Reports.Export";
    private static readonly TimeSpan ExportLinkLifetime = TimeSpan.FromMinutes(2);

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder routes)
    {
        var reports = routes.MapGroup("/api/reports").RequireAuthorization().WithTags("Reports");
        reports.MapGet("/context", ContextAsync).WithSummary("The shop's currency, calendar, threshold, segments and windows.");
        reports.MapGet("/inactive", InactivePageAsync).WithSummary("One page of inactive customers matching the filter, with the total count.");
        reports.MapGet("/inactive/summary", SummaryAsync).WithSummary("Shop-wide figures: inactive now, this week, revenue at stake, segments, histogram, history.");
        reports.MapPost("/inactive/export", CreateExportLinkAsync).WithSummary("A short-lived link that downloads the filtered list as CSV.");
        reports.MapGet("/without-orders", WithoutOrdersPageAsync).WithSummary("Customers who never placed a qualifying order: the list `/inactive?list=without-orders`, kept for older clients.");
        reports.MapGet("/inactive/products", ProductsAsync).WithSummary("The products most over-represented in inactive customers' orders against active customers'.");
        reports.MapGet("/rfm", RfmAsync).WithSummary("Every customer with an order in the 11 RFM groups: counts, value, moves since the previous weekly refit, a link to each group's list.");

        var views = routes.MapGroup("/api/views").RequireAuthorization().WithTags("Saved views");
        views.MapGet("/", ListViewsAsync);
        views.MapPut("/", SaveViewAsync).WithSummary("Saves the filter under a name; saving an existing name replaces its filter.");
        views.MapPatch("/{id:long}", RenameViewAsync).WithSummary("Renames a saved view; its filter, schedules and sheets stay.");
        views.MapDelete("/{id:long}", DeleteViewAsync);

        routes.MapGet("/exports/inactive-customers.csv", DownloadExportAsync).WithTags("Reports").ExcludeFromDescription();
        return routes;
    }

    private static async Task<ReportContext> ContextAsync(ClaimsPrincipal user, ReportScopes scopes, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var settings = await db.ShopSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken);
        return new ReportContext(scope.ShopDomain, scope.ShopName, scope.CurrencyCode, scope.Calendar.Zone.Id, scope.Calendar.Today, scope.ThresholdWeeks,
            scope.HighValueLine, WinBackRules.Segments, WinBackRules.Windows(scope.ThresholdWeeks), PredictionTerms.Risks, PredictionTerms.RfmSegments,
            AtRiskRule.AliveLine, WinBackPlaybooks.All(scope.ThresholdWeeks), ReportColumns.Of(settings));
    }

    private static Task<Results<Ok<InactiveCustomersPage>, ValidationProblem>> InactivePageAsync(
        HttpRequest request, ClaimsPrincipal user, ReportScopes scopes, InactiveCustomersQuery query, CancellationToken cancellationToken) =>
        ListPageAsync(request.Query, user, scopes, query, (scope, filter, page, total) => new InactiveCustomersPage(Rows(page, scope), total, page.NextCursor,
            filter.PageSize, filter.ToQueryString(), scope.CurrencyCode, scope.ThresholdWeeks), cancellationToken);

    private static Task<Results<Ok<WithoutOrdersPage>, ValidationProblem>> WithoutOrdersPageAsync(
        HttpRequest request, ClaimsPrincipal user, ReportScopes scopes, InactiveCustomersQuery query, CancellationToken cancellationToken) =>
        ListPageAsync(request.Query.Where(q => q.Key != "list").Append(new("list", "without-orders")), user, scopes, query,
            (scope, filter, page, total) => new WithoutOrdersPage(Rows(page, scope), total, page.NextCursor, filter.PageSize, scope.CurrencyCode), cancellationToken);

    /// <summary>One page of a list and its total count, in the response's shape; a bad filter or cursor is a 400 naming the parameter.</summary>
    private static async Task<Results<Ok<T>, ValidationProblem>> ListPageAsync<T>(IEnumerable<KeyValuePair<string, StringValues>> parameters, ClaimsPrincipal user,
        ReportScopes scopes, InactiveCustomersQuery query, Func<ReportScope, InactiveCustomersFilter, CustomerPage, int, T> shape, CancellationToken cancellationToken)
    {
        var scope = await scopes.LoadAsync(user.ShopId(), cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(parameters, scope.ThresholdWeeks);
        if (errors.Count > 0) return InvalidFilter(errors);
        try
        {
            var page = await query.PageAsync(scope, filter, cancellationToken);
            return TypedResults.Ok(shape(scope, filter, page, await query.CountAsync(scope, filter, cancellationToken)));
        }
        catch (InvalidCursorException e)
        {
            return InvalidFilter(new() { ["after"] = [e.Message] });
        }
    }

    private static List<ReportCustomer> Rows(CustomerPage page, ReportScope scope) => page.Rows.Select(r => ReportCustomer.From(r, scope)).ToList();

    private static async Task<InactiveSummary> SummaryAsync(ClaimsPrincipal user, ReportScopes scopes, ReportSummaries summaries, CancellationToken cancellationToken) =>
        await summaries.GetAsync(await scopes.LoadAsync(user.ShopId(), cancellationToken), cancellationToken);

    private static async Task<ProductReflectionReport> ProductsAsync(ClaimsPrincipal user, ReportScopes scopes, LostCustomerProducts products, CancellationToken cancellationToken) =>
        await products.GetAsync(await scopes.LoadAsync(user.ShopId(), cancellationToken), cancellationToken);

    private static async Task<RfmOverview> RfmAsync(ClaimsPrincipal user, ReportScopes scopes, RfmOverviews overviews, CancellationToken cancellationToken) =>
        await overviews.GetAsync(await scopes.LoadAsync(user.ShopId(), cancellationToken), cancellationToken);


    private static async Task<Results<Ok<ExportLink>, ValidationProblem>> CreateExportLinkAsync(
        HttpRequest request, ClaimsPrincipal user, ReportScopes scopes, IDataProtectionProvider protection, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(request.Query, scope.ThresholdWeeks);
        if (errors.Count > 0) return InvalidFilter(errors);
        var expires = (time.GetUtcNow() + ExportLinkLifetime).ToUnixTimeSeconds();
        var token = protection.CreateProtector(ExportPurpose).Protect($"{shopId}\n{expires}\n{filter.ToQueryString()}");
        return TypedResults.Ok(new ExportLink($"/exports/inactive-customers.csv?token={Uri.EscapeDataString(token)}"));
    }

    /// <summary>
    /// The CSV download. A browser navigation cannot carry a session token, so the link carries a short-lived token of
    /// its own (encrypted and signed by Data Protection, valid two minutes) naming the shop and the filter it was made for.
    /// </summary>
    private static async Task<IResult> DownloadExportAsync(
        HttpContext http, string? token, IDataProtectionProvider protection, ReportScopes scopes, InactiveCustomersQuery query, WinBackOutcomes outcomes,
        TimeProvider time, CancellationToken cancellationToken)
    {
        string[] payload;
        try
        {
            payload = protection.CreateProtector(ExportPurpose).Unprotect(token ?? "").Split('\n', 3);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            payload = [];
        }
        if (payload.Length != 3 || long.Parse(payload[1], System.Globalization.CultureInfo.InvariantCulture) < time.GetUtcNow().ToUnixTimeSeconds())
            return Results.Problem("This download link has expired. Export again from the report.", statusCode: StatusCodes.Status401Unauthorized);
        var shopId = long.Parse(payload[0], System.Globalization.CultureInfo.InvariantCulture);
        var filterQuery = payload[2];
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(filterQuery, scope.ThresholdWeeks);
        if (errors.Count > 0)
            return Results.Problem("The report's settings changed since this export was asked for. Export again from the report.", statusCode: StatusCodes.Status409Conflict);

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{CustomersCsv.FileName(scope, filter.List)}\"";
        http.Response.Headers.CacheControl = "no-store";
        // An export is a list for contact: the control group is left out of it, and everyone in it is recorded for the outcomes.
        var outgoing = await outcomes.StartListAsync(scope, ListingChannels.Csv, cancellationToken);
        await CustomersCsv.WriteAsync(http.Response.Body, scope, outgoing.ContactedOf(query.AllAsync(scope, filter, cancellationToken), cancellationToken), cancellationToken);
        await outcomes.RecordAsync(outgoing, cancellationToken);
        return Results.Empty;
    }

    private static async Task<List<SavedViewDto>> ListViewsAsync(ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        return await db.SavedViews.AsNoTracking().Where(v => v.ShopId == shopId).OrderBy(v => v.Name)
            .Select(v => new SavedViewDto(v.Id, v.Name, v.Query)).ToListAsync(cancellationToken);
    }

    private static async Task<Results<Ok<SavedViewDto>, ValidationProblem>> SaveViewAsync(
        SaveViewRequest body, ClaimsPrincipal user, WinBackDbContext db, ReportScopes scopes, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var name = body.Name?.Trim() ?? "";
        if (NameError(name) is { } nameError) return nameError;
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var (filter, errors) = InactiveCustomersFilter.Parse(body.Query ?? "", scope.ThresholdWeeks);
        if (errors.Count > 0) return InvalidFilter(errors);

        var now = time.GetUtcNow();
        var query = filter with { After = null };
        if (query.ToQueryString().Length > SavedViewConfiguration.MaxQueryLength)
            return InvalidFilter(new() { ["query"] = ["This filter is too long to save as a view. Shorten the search or choose fewer segments."] });
        var view = await db.SavedViews.SingleOrDefaultAsync(v => v.ShopId == shopId && v.Name == name, cancellationToken);
        if (view is null) db.SavedViews.Add(view = new SavedView { ShopId = shopId, Name = name, Query = query.ToQueryString(), CreatedAt = now, UpdatedAt = now });
        else (view.Query, view.UpdatedAt) = (query.ToQueryString(), now);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new SavedViewDto(view.Id, view.Name, view.Query));
    }

    private static async Task<Results<Ok<SavedViewDto>, NotFound, ValidationProblem>> RenameViewAsync(
        long id, RenameViewRequest body, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var name = body.Name?.Trim() ?? "";
        if (NameError(name) is { } nameError) return nameError;
        var view = await db.SavedViews.SingleOrDefaultAsync(v => v.ShopId == shopId && v.Id == id, cancellationToken);
        if (view is null) return TypedResults.NotFound();
        if (await db.SavedViews.AnyAsync(v => v.ShopId == shopId && v.Name == name && v.Id != id, cancellationToken))
            return InvalidFilter(new() { ["name"] = [$"You already have a view named \"{name}\". Choose another name."] });
        (view.Name, view.UpdatedAt) = (name, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new SavedViewDto(view.Id, view.Name, view.Query));
    }

    private static ValidationProblem? NameError(string name) => name.Length is 0 or > SavedViewConfiguration.MaxNameLength
        ? InvalidFilter(new() { ["name"] = [$"Give the view a name of 1 to {SavedViewConfiguration.MaxNameLength} characters."] })
        : null;

    private static async Task<Results<NoContent, NotFound>> DeleteViewAsync(long id, ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var deleted = await db.SavedViews.Where(v => v.ShopId == shopId && v.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static ValidationProblem InvalidFilter(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: "Some of the report's filters are not valid.");
}
