using System.Globalization;
using WinBack.Analytics;

namespace WinBack.Analyze;

/// <summary>The command line of <c>analyze</c>; a wrong option is a sentence naming it, never a stack trace.</summary>
public sealed record AnalyzeOptions(
    string Input,
    string DateFormat,
    DateOnly? CalibrationEnd,
    double Periods,
    TimeUnit Unit,
    string? Output,
    string? Parameters,
    PurchaseModelOption Model = PurchaseModelOption.BgNbd,
    DateOnly? HoldoutEnd = null)
{
    public const string Usage = """
        usage: winback-analyze <transactions.csv> [options]

        Reads one transaction per line, customer_id,date,amount (a header line is skipped), fits a purchase model and
        Gamma-Gamma, and writes one row per customer: customer_id, x, t_x, T, p_alive, expected purchases in the next N
        periods, predicted 12-month value (discounted 1 % a month), RFM score and segment. The fitted parameters, with
        their standard errors, go out as JSON.

          --date-format F       how dates are written (.NET format, default yyyy-MM-dd; CDNOW uses yyyyMMdd)
          --calibration-end D   the last day of the calibration period (same format; default: the last date in the file);
                                later transactions are ignored
          --periods N           the horizon of "expected purchases", in units (default 52)
          --unit week|day       the time unit of x, t_x, T and the horizon (default week)
          --model M             the purchase model: bgnbd (BG/NBD, the default), mbgnbd (MBG/NBD), pnbd (Pareto/NBD),
                                or auto (fit all three and use the one the data favour)
          --out FILE            the customers' CSV (default: standard output)
          --params FILE         the parameters' JSON (default: standard error)
          --holdout-end D       instead of the customers, the track record: BG/NBD fitted on the orders up to the
                                calibration end, its predictions for the holdout after it, up to and including D, against
                                what happened (repeat purchase days in total and by past purchases; for buying again, a
                                calibration table by decile, the Brier score and the AUC beside "weeks since last order").
                                Without --calibration-end the holdout is the 13 weeks up to D. Always in weeks;
                                written as plain text to --out or standard output
        """;

    private static readonly Dictionary<string, PurchaseModelOption> Models = new()
    {
        ["bgnbd"] = PurchaseModelOption.BgNbd, ["mbgnbd"] = PurchaseModelOption.MbgNbd, ["pnbd"] = PurchaseModelOption.ParetoNbd, ["auto"] = PurchaseModelOption.Auto,
    };

    public static (AnalyzeOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) return (null, "Name the transactions file first.");
        var options = new AnalyzeOptions(args[0], "yyyy-MM-dd", null, 52, TimeUnit.Week, null, null);
        string? calibrationEnd = null, holdoutEnd = null;
        for (var i = 1; i < args.Count; i++)
        {
            if (i + 1 >= args.Count) return (null, $"{args[i]} needs a value.");
            var value = args[++i];
            switch (args[i - 1])
            {
                case "--date-format": options = options with { DateFormat = value }; break;
                case "--calibration-end": calibrationEnd = value; break;
                case "--periods":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var periods) || periods <= 0)
                        return (null, "--periods is a positive number, for example 39.");
                    options = options with { Periods = periods };
                    break;
                case "--unit":
                    if (value is not ("week" or "day")) return (null, "--unit is week or day.");
                    options = options with { Unit = value == "week" ? TimeUnit.Week : TimeUnit.Day };
                    break;
                case "--model":
                    if (!Models.TryGetValue(value, out var model)) return (null, "--model is bgnbd, mbgnbd, pnbd or auto.");
                    options = options with { Model = model };
                    break;
                case "--out": options = options with { Output = value }; break;
                case "--params": options = options with { Parameters = value }; break;
                case "--holdout-end": holdoutEnd = value; break;
                default: return (null, $"Unknown option {args[i - 1]}.");
            }
        }
        if (calibrationEnd is not null)
        {
            if (!DateOnly.TryParseExact(calibrationEnd, options.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
                return (null, $"--calibration-end {calibrationEnd} is not a date in the format {options.DateFormat}.");
            options = options with { CalibrationEnd = end };
        }
        if (holdoutEnd is not null)
        {
            if (!DateOnly.TryParseExact(holdoutEnd, options.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
                return (null, $"--holdout-end {holdoutEnd} is not a date in the format {options.DateFormat}.");
            options = options with
            {
                HoldoutEnd = end, CalibrationEnd = options.CalibrationEnd ?? end.AddDays(-7 * HoldoutSplit.DefaultHoldoutWeeks),
            };
            if (options.CalibrationEnd >= end) return (null, $"--holdout-end {holdoutEnd} must come after --calibration-end {calibrationEnd}.");
        }
        return (options, null);
    }
}

public enum TimeUnit
{
    Day,
    Week,
}

/// <summary>Which purchase model <c>--model</c> asks for; <see cref="Auto"/> fits all three and lets the data choose.</summary>
public enum PurchaseModelOption
{
    BgNbd,
    MbgNbd,
    ParetoNbd,
    Auto,
}
