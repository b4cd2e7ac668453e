using System.Security.Claims;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Digests;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Settings;

public sealed record SettingsDto(int InactivityThresholdWeeks, string HighValueRule, int HighValuePercentile, decimal? HighValueAmount);

/// <summary>The report table's columns to show (keys of <see cref="ReportColumns.All"/>).</summary>
public sealed record ReportColumnsRequest(string[]? Columns);

public sealed record SettingsPage(SettingsDto Settings, string CurrencyCode, ThresholdSuggestion Suggestion);

/// <summary>What a choice of settings would give, shown before the merchant saves it.</summary>
public sealed record SettingsPreview(int InactiveCustomers, int CustomersWithOrders, int HighValueCustomers, decimal HighValueLine);

/// <summary>The report's settings: inactivity threshold and the high-value line, with a preview and the shop's own suggestion.</summary>
public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapSettingsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/settings").RequireAuthorization().WithTags("Settings");
        group.MapGet("/", GetAsync);
        group.MapPut("/", SaveAsync);
        group.MapPost("/preview", PreviewAsync).WithSummary("How many customers the given settings would list, without saving them.");
        group.MapPut("/columns", SaveColumnsAsync).WithSummary("The report table's columns to show, remembered for the shop.");
        return routes;
    }

    private static async Task<SettingsPage> GetAsync(
        ClaimsPrincipal user, WinBackDbContext db, ReportScopes scopes, ThresholdSuggestions suggestions, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var settings = await db.ShopSettings.AsNoTracking().SingleOrDefaultAsync(s => s.ShopId == shopId, cancellationToken) ?? new ShopSettings { ShopId = shopId };
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        return new SettingsPage(ToDto(settings), scope.CurrencyCode, await suggestions.GetAsync(scope, cancellationToken));
    }

    private static async Task<Results<Ok<SettingsPreview>, ValidationProblem>> PreviewAsync(
        SettingsDto body, ClaimsPrincipal user, WinBackDbContext db, ReportScopes scopes, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var (candidate, errors) = Validate(body, shopId);
        if (candidate is null) return Invalid(errors);
        var scope = await scopes.LoadAsync(shopId, cancellationToken, candidate);
        var inactiveBefore = WinBackRules.InactiveBefore(scope);
        var line = scope.HighValueLine;
        var counts = await scopes.CachedAsync(scope.CacheKey("settings-preview"), ct => db.Customers
            .Where(c => c.ShopId == shopId && c.OrdersCount > 0)
            .GroupBy(_ => 1)
            .Select(g => new { Inactive = g.Count(c => c.LastOrderAt < inactiveBefore), All = g.Count(), High = g.Count(c => c.TotalSpent >= line) })
            .SingleOrDefaultAsync(ct), cancellationToken);
        return TypedResults.Ok(new SettingsPreview(counts?.Inactive ?? 0, counts?.All ?? 0, counts?.High ?? 0, line));
    }

    private static async Task<Results<Ok<SettingsDto>, ValidationProblem>> SaveAsync(
        SettingsDto body, ClaimsPrincipal user, WinBackDbContext db, IBackgroundJobClient jobs, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var (candidate, errors) = Validate(body, shopId);
        if (candidate is null) return Invalid(errors);
        var settings = await db.ShopSettingsToChangeAsync(shopId, cancellationToken);
        var thresholdMoved = settings.InactivityThresholdWeeks != candidate.InactivityThresholdWeeks;
        settings.InactivityThresholdWeeks = candidate.InactivityThresholdWeeks;
        settings.HighValueRule = candidate.HighValueRule;
        settings.HighValuePercentile = candidate.HighValuePercentile;
        settings.HighValueAmount = candidate.HighValueAmount;
        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        // Who crossed the threshold today, and who is high value, may have changed: today's alert is asked again.
        await db.DigestSettings.Where(d => d.ShopId == shopId && d.AlertQuietDay != null)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.AlertQuietDay, (string?)null), cancellationToken);
        // The weekly series was counted with the old threshold; the job sees that and rebuilds it.
        if (thresholdMoved) jobs.Enqueue<RetentionSnapshotJob>(job => job.RunAsync(shopId, CancellationToken.None));
        return TypedResults.Ok(ToDto(settings));
    }

    private static async Task<Results<Ok<ReportColumnsRequest>, ValidationProblem>> SaveColumnsAsync(
        ReportColumnsRequest body, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (columns, error) = ReportColumns.Parse(body.Columns);
        if (columns is null) return Invalid(new() { ["columns"] = [error!] });
        var shopId = user.ShopId();
        var settings = await db.ShopSettingsToChangeAsync(shopId, cancellationToken);
        settings.ReportColumns = columns;
        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ReportColumnsRequest(columns));
    }

    /// <summary>The settings the body asks for, or the errors that keep them from being saved, keyed by field.</summary>
    private static (ShopSettings? Settings, Dictionary<string, string[]> Errors) Validate(SettingsDto body, long shopId)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.InactivityThresholdWeeks is < 1 or > 104) errors["inactivityThresholdWeeks"] = ["The inactivity threshold is between 1 and 104 weeks."];
        // By name only: Enum.TryParse also takes "1" or "5", and an undefined number would be saved and never read back.
        HighValueRule? rule = Enum.GetValues<HighValueRule>().Where(r => r.ToString().Equals(body.HighValueRule, StringComparison.OrdinalIgnoreCase)).Cast<HighValueRule?>().SingleOrDefault();
        if (rule is null) errors["highValueRule"] = ["Choose percentile or amount for the high-value line."];
        else if (rule == HighValueRule.Percentile && body.HighValuePercentile is < 1 or > 99) errors["highValuePercentile"] = ["The percentile is between 1 and 99 (80 means the top 20 %)."];
        else if (rule == HighValueRule.Amount && body.HighValueAmount is not (> 0 and <= ShopSettings.MaxHighValueAmount))
            errors["highValueAmount"] = [$"Enter an amount above zero and up to {ShopSettings.MaxHighValueAmount:N0} in your shop currency."];
        if (errors.Count > 0) return (null, errors);
        return (new ShopSettings
        {
            ShopId = shopId,
            InactivityThresholdWeeks = body.InactivityThresholdWeeks,
            HighValueRule = rule!.Value,
            HighValuePercentile = body.HighValuePercentile is >= 1 and <= 99 ? body.HighValuePercentile : ShopSettings.DefaultHighValuePercentile,
            HighValueAmount = rule == HighValueRule.Amount ? body.HighValueAmount : null,
        }, errors);
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: errors.First().Value[0], title: "These settings cannot be saved.");

    private static SettingsDto ToDto(ShopSettings s) =>
        new(s.InactivityThresholdWeeks, s.HighValueRule.ToString().ToLowerInvariant(), s.HighValuePercentile, s.HighValueAmount);
}
