using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Settings;
using WinBack.Web.Shops;

namespace WinBack.Web.Outcomes;

/// <summary>The control group as the settings page shows it: on or off, its size, why it exists, and how many customers it has held out.</summary>
public sealed record ControlGroupSettings(bool On, int Percent, string Why, int HeldOutCustomers, int ListedCustomers, int LookbackDays);

public sealed record ControlGroupRequest(bool? On);

/// <summary>Outcomes, lift and the came-back list under the report API; the control group under the settings API.</summary>
public static class OutcomesEndpoints
{
    public static IEndpointRouteBuilder MapOutcomesApi(this IEndpointRouteBuilder routes)
    {
        var outcomes = routes.MapGroup("/api/reports/outcomes").RequireAuthorization().WithTags("Reports");
        outcomes.MapGet("/", ReportAsync)
            .WithSummary("Of the customers listed in digests, CSVs, sheets, scheduled reports and tags, how many came back within 30 / 60 / 90 days, their revenue, and the lift against the control group.");
        outcomes.MapGet("/came-back", CameBackAsync).WithSummary("Listed customers who ordered again: when, after which listing, and what they bought.");

        var control = routes.MapGroup("/api/settings/control-group").RequireAuthorization().WithTags("Settings");
        control.MapGet("/", ControlGroupAsync);
        control.MapPut("/", SaveControlGroupAsync).WithSummary("Turns the control group on or off; a customer's membership stays the same across weeks.");
        return routes;
    }

    private static Task<OutcomeReport> ReportAsync(ClaimsPrincipal user, WinBackOutcomes outcomes, CancellationToken cancellationToken) =>
        outcomes.ReportAsync(user.ShopId(), cancellationToken);

    private static async Task<Results<Ok<CameBackPage>, ValidationProblem>> CameBackAsync(ClaimsPrincipal user, CameBackList list, int? page, CancellationToken cancellationToken)
    {
        if (page is < 1 or > 10_000)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["Pages are numbered from 1."] }, detail: "Pages are numbered from 1.",
                title: "This page of customers who came back cannot be shown.");
        return TypedResults.Ok(await list.PageAsync(user.ShopId(), page ?? 1, cancellationToken));
    }

    private static async Task<ControlGroupSettings> ControlGroupAsync(ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var on = await db.ShopSettings.AnyAsync(s => s.ShopId == shopId && s.ControlGroupOn, cancellationToken);
        var since = time.GetUtcNow().AddDays(-WinBackOutcomes.LookbackDays);
        var listings = db.WinBackListings.Where(l => l.ShopId == shopId && l.FirstListedAt > since);
        var heldOut = await listings.Where(l => l.Control).Select(l => l.CustomerId).Distinct().CountAsync(cancellationToken);
        var listed = await listings.Select(l => l.CustomerId).Distinct().CountAsync(cancellationToken);
        return new ControlGroupSettings(on, ControlGroup.Percent, ControlGroup.Why, heldOut, listed, WinBackOutcomes.LookbackDays);
    }

    private static async Task<Results<Ok<ControlGroupSettings>, ValidationProblem>> SaveControlGroupAsync(
        ControlGroupRequest body, ClaimsPrincipal user, WinBackDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body.On is not { } on)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["on"] = ["Say whether the control group is on (true) or off (false)."] },
                detail: "Say whether the control group is on (true) or off (false).", title: "The control group setting cannot be saved.");
        var shopId = user.ShopId();
        var settings = await db.ShopSettingsToChangeAsync(shopId, cancellationToken);
        settings.ControlGroupOn = on;
        // Chosen once and kept: turning the group off and on again holds out the same customers.
        settings.ControlGroupSalt ??= on ? ControlGroup.NewSalt() : null;
        settings.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await ControlGroupAsync(user, db, time, cancellationToken));
    }
}
