using System.Globalization;
using System.Text;
using WinBack.Analytics;

namespace WinBack.Analyze;

/// <summary>A track record as plain text for an analyst: the figures behind the app's chart and its two sentences.</summary>
public static class TrackRecordText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Write(HoldoutResult result, string source)
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        if (result is NoTrackRecord none)
        {
            Line($"No track record for {source} (calibration to {Date(none.CalibrationEnd)}, holdout to {Date(none.HoldoutEnd)}).");
            Line(none.Explanation);
            return text.ToString();
        }
        var record = (TrackRecord)result;
        var weeks = record.HoldoutWeeks.ToString("0.#", Invariant);
        Line($"Track record of {record.ModelName} on {source}");
        Line($"Fitted on the orders up to {Date(record.CalibrationEnd)} ({Count(record.Customers)} customers), checked against the {weeks} weeks to {Date(record.HoldoutEnd)}.");
        Line();
        var gap = record.ActualPurchases == 0 ? "" : $" ({(record.PredictedPurchases / record.ActualPurchases - 1) * 100:+0.0;-0.0} %)";
        Line($"Repeat purchase days in the {weeks} weeks: predicted {record.PredictedPurchases.ToString("N1", Invariant)}, actual {Count(record.ActualPurchases)}{gap}.");
        Line();
        Line($"By repeat purchases up to {Date(record.CalibrationEnd)}:");
        Table(text, ["past", "customers", "predicted", "actual", "predicted each", "actual each"],
            record.ByPastPurchases.Select(g => new[]
            {
                g.Label, Count(g.Customers), g.PredictedPurchases.ToString("N1", Invariant), Count(g.ActualPurchases),
                g.PredictedPerCustomer.ToString("0.000", Invariant), g.ActualPerCustomer.ToString("0.000", Invariant),
            }));
        Line();
        Line($"Buying again within {weeks} weeks ({Count(record.ReturnedCustomers)} of {Count(record.Customers)} customers did, {Percent((double)record.ReturnedCustomers / record.Customers)}):");
        var (model, rule) = (record.Model, record.WeeksSinceLastOrder);
        Table(text, ["", model.Name, rule.Name], [["AUC", Score(model.Auc), Score(rule.Auc)], ["Brier score", Score(model.BrierScore), Score(rule.BrierScore)]]);
        Line($"(The rule ranks by weeks since the last order; its chances are the shares that came back within {record.RuleWindowWeeks.ToString("0.#", Invariant)} weeks");
        Line($"of an earlier cut of the calibration data{(record.RuleWindowWeeks < record.HoldoutWeeks ? $", stretched to {weeks} weeks" : "")}.)");
        foreach (var forecast in new[] { model, rule })
        {
            Line();
            Line($"Calibration by decile of predicted chance, {forecast.Name}:");
            Table(text, ["decile", "customers", "lowest", "highest", "mean", "came back"],
                forecast.Deciles.Select((d, i) => new[]
                {
                    (i + 1).ToString(Invariant), Count(d.Customers), Percent(d.From), Percent(d.To), Percent(d.MeanPredicted), Percent(d.ObservedShare),
                }));
        }
        Line();
        Line(record.CalibrationSentence);
        Line(record.RankingSentence);
        return text.ToString();
    }

    /// <summary>Columns as wide as their widest cell, two spaces apart: the first left-aligned, the numbers right-aligned.</summary>
    private static void Table(StringBuilder text, string[] headings, IEnumerable<string[]> rows)
    {
        string[][] all = [headings, .. rows];
        var widths = headings.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
            text.Append("  ").Append(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd()).Append('\n');
    }

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", Invariant);

    private static string Count(int n) => n.ToString("N0", Invariant);

    private static string Percent(double share) => $"{(100 * share).ToString("0.0", Invariant)} %";

    private static string Score(double? score) => score?.ToString("0.000", Invariant) ?? "none";
}
