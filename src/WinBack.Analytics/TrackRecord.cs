using System.Globalization;

namespace WinBack.Analytics;

/// <summary>What a refit's holdout check gave: a <see cref="TrackRecord"/>, or a <see cref="NoTrackRecord"/> that says why not.</summary>
public abstract record HoldoutResult(DateOnly CalibrationEnd, DateOnly HoldoutEnd);

public enum NoTrackRecordReason
{
    /// <summary>Under <see cref="HoldoutEvaluation.MinimumCalibrationWeeks"/> weeks of orders before the holdout.</summary>
    TooYoung,

    /// <summary>Under <see cref="HoldoutEvaluation.MinimumRepeatCustomers"/> repeat customers before the holdout.</summary>
    TooFewRepeatCustomers,

    /// <summary>The fit on the calibration period said the data do not pin the model down.</summary>
    ModelNotFitted,
}

/// <summary>No track record this time; <see cref="Explanation"/> says why in the merchant's words, and when relevant when it comes.</summary>
public sealed record NoTrackRecord(DateOnly CalibrationEnd, DateOnly HoldoutEnd, NoTrackRecordReason Reason, string Explanation)
    : HoldoutResult(CalibrationEnd, HoldoutEnd);

/// <summary>
/// Customers with <see cref="Frequency"/> repeat purchases before the holdout (with <see cref="AndMore"/>, that many or more):
/// how many, and their predicted and actual purchase days in the holdout.
/// </summary>
public sealed record FrequencyGroup(int Frequency, bool AndMore, int Customers, double PredictedPurchases, int ActualPurchases)
{
    public string Label => AndMore ? $"{Frequency}+" : Frequency.ToString(CultureInfo.InvariantCulture);
    public double PredictedPerCustomer => PredictedPurchases / Customers;
    public double ActualPerCustomer => ActualPurchases / (double)Customers;
}

/// <summary>
/// One forecast of "buys again within the holdout", judged: the Brier score of its chances, the AUC of its ranking (null when
/// every customer, or none, came back), and its calibration by deciles of the predicted chance and by the fixed
/// <see cref="HoldoutEvaluation.ChanceBandBounds"/>.
/// </summary>
public sealed record ReturnForecast(string Name, double BrierScore, double? Auc, IReadOnlyList<CalibrationBand> Deciles, IReadOnlyList<CalibrationBand> ChanceBands);

/// <summary>
/// How the model fitted on the orders up to <see cref="HoldoutResult.CalibrationEnd"/> did in the <see cref="HoldoutWeeks"/>
/// weeks after: predicted and actual repeat purchase days (in total and <see cref="ByPastPurchases"/>), and for buying again
/// the <see cref="Model"/> beside the <see cref="WeeksSinceLastOrder"/> rule, whose chances were learnt on an earlier cut of
/// the calibration data <see cref="RuleWindowWeeks"/> long (see <c>WeeksSinceLastOrderRule</c>). The two sentences say it
/// for the merchant.
/// </summary>
public sealed record TrackRecord(
    DateOnly CalibrationEnd,
    DateOnly HoldoutEnd,
    string ModelName,
    double HoldoutWeeks,
    int Customers,
    int ReturnedCustomers,
    double PredictedPurchases,
    int ActualPurchases,
    IReadOnlyList<FrequencyGroup> ByPastPurchases,
    ReturnForecast Model,
    ReturnForecast WeeksSinceLastOrder,
    double RuleWindowWeeks) : HoldoutResult(CalibrationEnd, HoldoutEnd)
{
    public const string RuleName = "weeks since last order";

    /// <summary>"Of customers we gave under 20 % chance of ordering within 13 weeks, 6 % did; of those we gave 60 % or more, 71 % did."</summary>
    public string CalibrationSentence
    {
        get
        {
            var bands = Model.ChanceBands.Where(b => b.Customers > 0).ToList();
            var weeks = MerchantText.Weeks(HoldoutWeeks);
            if (bands.Count == 0) return $"We had no customers to give a chance of ordering within {weeks}.";
            var (low, high) = (bands[0], bands[^1]);
            if (bands.Count == 1) return $"We gave every customer {MerchantText.Band(low)} chance of ordering within {weeks}; {MerchantText.Percent(low.ObservedShare)} did.";
            return $"Of customers we gave {MerchantText.Band(low)} chance of ordering within {weeks}, {MerchantText.Percent(low.ObservedShare)} did; " +
                   $"of those we gave {MerchantText.Band(high)}, {MerchantText.Percent(high.ObservedShare)} did.";
        }
    }

    /// <summary>"Our ranking put a customer who came back above one who did not 78 % of the time; weeks since last order alone did 70 %."</summary>
    public string RankingSentence
    {
        get
        {
            var weeks = MerchantText.Weeks(HoldoutWeeks);
            if (ReturnedCustomers == 0) return $"Nobody ordered again within those {weeks}, so there is no ranking to check this time.";
            if (ReturnedCustomers == Customers) return $"Every customer ordered again within those {weeks}, so there is no ranking to check this time.";
            return $"Our ranking put a customer who came back above one who did not {MerchantText.Percent(Model.Auc!.Value)} of the time; " +
                   $"{RuleName} alone did {MerchantText.Percent(WeeksSinceLastOrder.Auc!.Value)}.";
        }
    }
}

/// <summary>Numbers and days the way the merchant reads them.</summary>
internal static class MerchantText
{
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Percent(double share) => share is > 0 and < 0.005 ? "under 1 %" : $"{Math.Round(100 * share, MidpointRounding.AwayFromZero).ToString("0", Invariant)} %";

    public static string Weeks(double weeks) => $"{weeks.ToString("0.#", Invariant)} weeks";

    public static string Day(DateOnly day) => day.ToString("d MMMM yyyy", Invariant);

    public static string Customers(int count) => count == 1 ? "1 customer" : $"{count.ToString("N0", Invariant)} customers";

    /// <summary>"under 20 %", "20 to 40 %", "60 % or more": a fixed band of predicted chance.</summary>
    public static string Band(CalibrationBand band) =>
        band.From <= 0 ? $"under {Percent(band.To)}"
        : band.To >= 1 ? $"{Percent(band.From)} or more"
        : $"{Math.Round(100 * band.From).ToString("0", Invariant)} to {Percent(band.To)}";
}
