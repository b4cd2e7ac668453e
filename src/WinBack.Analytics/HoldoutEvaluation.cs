namespace WinBack.Analytics;

/// <summary>
/// The track record of a purchase model on the shop's own data (Fader, Hardie &amp; Lee's holdout test): fitted on the
/// calibration period of a <see cref="HoldoutSplit"/> by the caller's fit, its predictions for the holdout set against what
/// happened: repeat purchases in total and by past purchases, and the chance of buying again judged by calibration, Brier
/// score and AUC, beside the plain weeks-since-last-order rule.
/// </summary>
public static class HoldoutEvaluation
{
    /// <summary>The shortest calibration history a track record is drawn from: one quarter of orders.</summary>
    public const int MinimumCalibrationWeeks = 13;

    /// <summary>The fewest repeat customers before the holdout: the fewest any of our purchase models is fitted on.</summary>
    public const int MinimumRepeatCustomers = BetaGeometricNbd.MinimumRepeatCustomers;

    /// <summary>Past purchases (calibration x) from this many up are one group, as in the paper's figure (0, 1, …, 6, 7+).</summary>
    public const int OpenFrequencyGroup = 7;

    /// <summary>The bands of predicted chance the merchant's sentence speaks of: under 20 %, 20–40 %, 40–60 %, 60 % or more.</summary>
    public static readonly IReadOnlyList<double> ChanceBandBounds = [0, 0.2, 0.4, 0.6, 1];

    /// <summary>
    /// Fits the model on the calibration customers with <paramref name="fit"/> and scores its holdout predictions; a shop too
    /// young (under <see cref="MinimumCalibrationWeeks"/> weeks before the holdout, or under <see cref="MinimumRepeatCustomers"/>
    /// repeat customers) or a fit that throws <see cref="NotEnoughDataException"/> gives a <see cref="NoTrackRecord"/> in words.
    /// </summary>
    public static HoldoutResult Evaluate(HoldoutSplit split, Func<IReadOnlyList<RepeatBuyer>, IPurchaseModel> fit)
    {
        if (TooYoung(split) is { } tooYoung) return tooYoung;
        // The plain rule's forecast, the yardstick, is worked out while the model is fitted; every model checked on the
        // split shares it (the first to ask computes it).
        var yardstick = Task.Run(() => split.WeeksSinceLastOrderForecast);
        var calibration = split.Calibration;
        IPurchaseModel model;
        try
        {
            model = fit(calibration);
        }
        catch (NotEnoughDataException e)
        {
            return new NoTrackRecord(split.CalibrationEnd, split.HoldoutEnd, NoTrackRecordReason.ModelNotFitted,
                $"The forecast could not be learnt from your orders up to {MerchantText.Day(split.CalibrationEnd)}, so there is no track record this time. {e.Message}");
        }

        var weeks = split.HoldoutWeeks;
        var returned = split.Customers.Select(c => c.Returned).ToArray();
        var (expected, chance) = Forecasts(model, calibration, weeks);

        // Totals by past purchases (0, 1, …, 7+), in one pass: a large shop's million customers are not grouped into lists.
        var (customers, predicted, actual) = (new int[OpenFrequencyGroup + 1], new double[OpenFrequencyGroup + 1], new int[OpenFrequencyGroup + 1]);
        for (var i = 0; i < split.Customers.Count; i++)
        {
            var c = split.Customers[i];
            var group = Math.Min(c.Calibration.Frequency, OpenFrequencyGroup);
            customers[group]++;
            predicted[group] += expected[i];
            actual[group] += c.HoldoutPurchases;
        }
        var byFrequency = Enumerable.Range(0, OpenFrequencyGroup + 1).Where(g => customers[g] > 0)
            .Select(g => new FrequencyGroup(g, g == OpenFrequencyGroup, customers[g], predicted[g], actual[g])).ToList();
        return new TrackRecord(split.CalibrationEnd, split.HoldoutEnd, model.Name, weeks, split.Customers.Count, returned.Count(r => r),
            expected.Sum(), actual.Sum(), byFrequency,
            Forecast(model.Name, chance, chance, returned),
            yardstick.GetAwaiter().GetResult(), WeeksSinceLastOrderRule.WindowDays(split) / HoldoutSplit.DaysPerWeek);
    }

    /// <summary>The plain rule's forecast of the split, beside every model's: the same for each, so the split computes it once.</summary>
    internal static ReturnForecast WeeksSinceLastOrderForecast(HoldoutSplit split)
    {
        var rule = WeeksSinceLastOrderRule.Learn(split);
        var silence = split.Customers.Select(c => c.WeeksSinceLastOrder).ToArray();
        return Forecast(TrackRecord.RuleName, silence.Select(rule.Chance).ToArray(), silence.Select(s => -s).ToArray(), split.Customers.Select(c => c.Returned).ToArray());
    }

    /// <summary>
    /// Each customer's expected purchases and chance of buying in the holdout: P(alive) once per distinct (x, t_x, T) (a large
    /// shop has a few hundred thousand, not a million), and the rest once per distinct (x, T) (<see cref="GroupedForecasts"/>).
    /// </summary>
    private static (double[] Expected, double[] Chance) Forecasts(IPurchaseModel model, IReadOnlyList<RepeatBuyer> customers, double weeks)
    {
        var grouped = RepeatBuyers.GroupedOf(customers);
        var alive = GroupedForecasts.ProbabilitiesAlive(model, grouped);
        var expected = GroupedForecasts.IfAlive(grouped, c => model.ExpectedPurchasesIfAlive(c, weeks));
        var chance = GroupedForecasts.IfAlive(grouped, c => model.ProbabilityOfPurchaseWithinIfAlive(c, weeks));
        return (Array.ConvertAll(grouped.GroupOf!, g => alive[g] * expected[g]), Array.ConvertAll(grouped.GroupOf!, g => alive[g] * chance[g]));
    }

    private static NoTrackRecord? TooYoung(HoldoutSplit split)
    {
        var weeks = MerchantText.Weeks(split.HoldoutWeeks);
        if (split.FirstPurchase is not { } first || split.CalibrationWeeks < MinimumCalibrationWeeks)
        {
            var since = split.FirstPurchase is { } f ? $"your first order was on {MerchantText.Day(f)}" : $"you had no orders by {MerchantText.Day(split.CalibrationEnd)}";
            var from = (split.FirstPurchase ?? split.CalibrationEnd).AddDays(MinimumCalibrationWeeks * (int)HoldoutSplit.DaysPerWeek + split.HoldoutEnd.DayNumber - split.CalibrationEnd.DayNumber);
            return new NoTrackRecord(split.CalibrationEnd, split.HoldoutEnd, NoTrackRecordReason.TooYoung,
                $"Your shop is too young for a track record: we check our forecasts against the last {weeks}, which takes " +
                $"{MinimumCalibrationWeeks} weeks of orders before them, and {since}. The first check comes on {MerchantText.Day(from)}.");
        }
        var repeat = split.Customers.Count(c => c.Calibration.Frequency > 0);
        if (repeat < MinimumRepeatCustomers)
            return new NoTrackRecord(split.CalibrationEnd, split.HoldoutEnd, NoTrackRecordReason.TooFewRepeatCustomers,
                $"Your shop is too young for a track record: up to {MerchantText.Day(split.CalibrationEnd)}, before the last {weeks}, " +
                $"{(repeat == 0 ? "no customer" : $"only {MerchantText.Customers(repeat)}")} had ordered more than once, and the forecast needs at least {MinimumRepeatCustomers} to learn from.");
        return null;
    }

    private static ReturnForecast Forecast(string name, double[] chance, double[] ranking, bool[] returned) =>
        new(name, ForecastScores.Brier(chance, returned), ForecastScores.Auc(ranking, returned),
            ForecastScores.Quantiles(chance, returned, ranking: ranking), ForecastScores.Bands(chance, returned, ChanceBandBounds));
}
