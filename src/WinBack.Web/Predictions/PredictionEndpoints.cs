using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Predictions;

/// <summary>An expected count with its 80 % interval.</summary>
public sealed record ForecastDto(double Expected, double Lower, double Upper);

/// <summary>
/// The purchase model that scores the shop (<see cref="Model"/>: MBG/NBD or Pareto/NBD, time in weeks) as fitted, with why
/// it was chosen; its parameters by the reference's names in <see cref="Parameters"/> (r, alpha, a, b or r, alpha, s, beta;
/// null where a limiting model leaves them unestimated) and their standard errors; R, Alpha, A, B are the same four in
/// order. Null parameters with a note when it was not fitted. <see cref="ReturningIn4Weeks"/> and
/// <see cref="ReturningIn13Weeks"/>: customers expected to order again, with 80 % intervals.
/// </summary>
public sealed record PurchaseModelDto(double? R, double? Alpha, double? A, double? B, double? LogLikelihood, string? Note,
    string? Model = null, string? Choice = null, IReadOnlyList<ParameterDto>? Parameters = null, ForecastDto? ReturningIn4Weeks = null, ForecastDto? ReturningIn13Weeks = null);

public sealed record ParameterDto(string Name, double? Value, double? StandardError);

/// <summary>
/// The spend model (Gamma-Gamma): its parameters, null where a limit leaves them unestimated (<see cref="Note"/> names it);
/// <see cref="AverageOrderValue"/> is what a customer with a single order is expected to spend per order: p·γ/(q−1) inside
/// the model, at a limit that limit's average (WinBack.Analytics.OrderValueEstimate.ShopAverage).
/// </summary>
public sealed record SpendModelDto(double? P, double? Q, double? Gamma, double? AverageOrderValue, string? Note);

public sealed record ModelFitDto(DateTimeOffset FittedAt, DateOnly DataThrough, int Customers, int RepeatCustomers, PurchaseModelDto Purchases,
    SpendModelDto Spend, DateTimeOffset NextRefitAfter);

/// <summary>One refit's holdout check, for the history chart: predicted and actual repeat purchase days, and both rankings' AUC.</summary>
public sealed record TrackRecordPoint(DateOnly HoldoutEnd, double? PredictedPurchases, int? ActualPurchases, double? ModelAuc, double? RuleAuc);

/// <summary>
/// The latest holdout check: <see cref="Record"/> is WinBack.Analytics.TrackRecord as JSON (with its two sentences), or
/// null with <see cref="Explanation"/> saying why there is none yet; <see cref="History"/> holds every kept refit's, oldest first.
/// </summary>
public sealed record TrackRecordDto(System.Text.Json.JsonElement? Record, string? Explanation, IReadOnlyList<TrackRecordPoint> History);

public sealed record ModelStatus(ModelFitDto? Fit, string? Message, double PersonalOverdueFactor, int PersonalMinimumDays, IReadOnlyList<ChurnRiskInfo> ChurnRisks,
    TrackRecordDto? TrackRecord = null);

public static class PredictionEndpoints
{
    public static IEndpointRouteBuilder MapPredictionsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/predictions/model", ModelAsync).RequireAuthorization().WithTags("Predictions")
            .WithSummary("When the shop's purchase and spend models were fitted, on how many customers, and their parameters.");
        return routes;
    }

    private static ForecastDto? Forecast(double[]? interval) =>
        interval is [var expected, var lower, var upper] ? new ForecastDto(Math.Round(expected, 1), Math.Round(lower, 1), Math.Round(upper, 1)) : null;

    private static IReadOnlyList<ParameterDto>? ParametersOf(CustomerModelFit fit)
    {
        if (fit.PurchaseModel is null) return null;
        string[] names = fit.PurchaseModel == "Pareto/NBD" ? ["r", "alpha", "s", "beta"] : ["r", "alpha", "a", "b"];
        double?[] shown = [fit.R, fit.Alpha, fit.A, fit.B];
        return names.Select((name, i) => new ParameterDto(name, shown[i],
            shown[i] is not null && fit.PurchaseStandardErrors?.ElementAtOrDefault(i) is { } se && double.IsFinite(se) ? se : null)).ToList();
    }

    private static async Task<ModelStatus> ModelAsync(ClaimsPrincipal user, WinBackDbContext db, CancellationToken cancellationToken)
    {
        var shopId = user.ShopId();
        var fit = await db.CustomerModelFits.AsNoTracking().SingleOrDefaultAsync(f => f.ShopId == shopId, cancellationToken);
        var dto = fit is null ? null : new ModelFitDto(fit.FittedAt, fit.DataThrough, fit.Customers, fit.RepeatCustomers,
            new PurchaseModelDto(fit.R, fit.Alpha, fit.A, fit.B, fit.LogLikelihood, fit.PurchaseModelNote, fit.PurchaseModel, fit.PurchaseModelChoice,
                ParametersOf(fit), Forecast(fit.ReturningIn4Weeks), Forecast(fit.ReturningIn13Weeks)),
            new SpendModelDto(fit.P, fit.Q, fit.Gamma, fit.SpendShopAverage is { } average ? Math.Round(average, 2) : null, fit.SpendModelNote),
            fit.FittedAt + CustomerPredictionDispatcher.RefitEvery);
        var records = await db.ModelTrackRecords.AsNoTracking().Where(r => r.ShopId == shopId).OrderBy(r => r.HoldoutEnd).ToListAsync(cancellationToken);
        var trackRecord = records.Count == 0 ? null : new TrackRecordDto(
            records[^1].Record is { } json ? System.Text.Json.JsonDocument.Parse(json).RootElement : null, records[^1].Explanation,
            records.Where(r => r.Record is not null).Select(r => new TrackRecordPoint(r.HoldoutEnd, r.PredictedPurchases, r.ActualPurchases, r.ModelAuc, r.RuleAuc)).ToList());
        return new ModelStatus(dto, fit is null ? "The predictions are computed after the first sync finishes, then every week." : null,
            PredictionTerms.PersonalOverdueFactor, PredictionTerms.PersonalMinimumDays, PredictionTerms.Risks, trackRecord);
    }
}
