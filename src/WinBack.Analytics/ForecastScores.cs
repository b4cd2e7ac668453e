namespace WinBack.Analytics;

/// <summary>
/// A band of customers by predicted chance: the predictions' range in it (<see cref="From"/> to <see cref="To"/>; for fixed
/// bands their bounds), how many customers, the mean predicted chance and the share that did buy. An empty fixed band has
/// <see cref="Customers"/> 0 and both shares 0.
/// </summary>
public sealed record CalibrationBand(double From, double To, int Customers, double MeanPredicted, double ObservedShare);

/// <summary>How good a forecast of a yes/no outcome was: calibration tables, the Brier score and the AUC.</summary>
public static class ForecastScores
{
    /// <summary>The mean squared difference between the predicted chance and the outcome (1 or 0): 0 is perfect, 0.25 is a coin.</summary>
    public static double Brier(IReadOnlyList<double> predicted, IReadOnlyList<bool> outcome)
    {
        CheckSameLength(predicted, outcome);
        if (predicted.Count == 0) return 0;
        var sum = 0.0;
        for (var i = 0; i < predicted.Count; i++)
        {
            var miss = predicted[i] - (outcome[i] ? 1 : 0);
            sum += miss * miss;
        }
        return sum / predicted.Count;
    }

    /// <summary>
    /// The area under the ROC curve, exactly: the chance that a customer with the outcome scores above one without it, a tie
    /// counting half (the Mann-Whitney U from mid-ranks). Null when either group is empty: there is no pair to rank.
    /// </summary>
    public static double? Auc(IReadOnlyList<double> score, IReadOnlyList<bool> outcome)
    {
        CheckSameLength(score, outcome);
        var positives = outcome.Count(o => o);
        var negatives = outcome.Count - positives;
        if (positives == 0 || negatives == 0) return null;
        // Sorted as arrays (a shop's holdout has a million customers): tied scores share a mid-rank, so their order is moot.
        var sorted = score.ToArray();
        var order = Enumerable.Range(0, sorted.Length).ToArray();
        Array.Sort(sorted, order);
        var positiveRankSum = 0.0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && sorted[end + 1] == sorted[start]) end++;
            // Ranks start .. end (zero-based) share their mean, one-based: (start + end) / 2 + 1.
            var midRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
                if (outcome[order[k]]) positiveRankSum += midRank;
            start = end + 1;
        }
        return (positiveRankSum - positives * (positives + 1.0) / 2) / ((double)positives * negatives);
    }

    /// <summary>
    /// The customers sorted by predicted chance and cut into <paramref name="groups"/> groups of equal size (sizes differ by at
    /// most one); empty groups (fewer customers than groups) are left out. Customers with equal chances are ordered by
    /// <paramref name="ranking"/> when given (a rule whose chances come in steps still has an order within a step), else may
    /// fall on both sides of a cut. From and To are the lowest and highest chance in a group.
    /// </summary>
    public static IReadOnlyList<CalibrationBand> Quantiles(IReadOnlyList<double> predicted, IReadOnlyList<bool> outcome, int groups = 10, IReadOnlyList<double>? ranking = null)
    {
        CheckSameLength(predicted, outcome);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        var order = Ordered(predicted, ReferenceEquals(ranking, predicted) ? null : ranking);
        var bands = new List<CalibrationBand>(groups);
        for (var g = 0; g < groups; g++)
        {
            var members = order[(int)((long)g * order.Length / groups)..(int)((long)(g + 1) * order.Length / groups)];
            if (members.Length > 0) bands.Add(Band(members, predicted, outcome, members.Min(i => predicted[i]), members.Max(i => predicted[i])));
        }
        return bands;
    }

    /// <summary>
    /// The customers in fixed bands of predicted chance: band k holds the predictions from <paramref name="bounds"/>[k] up to, not
    /// including, <paramref name="bounds"/>[k + 1]; the last band also holds its upper bound. Every band is listed, empty or not.
    /// </summary>
    public static IReadOnlyList<CalibrationBand> Bands(IReadOnlyList<double> predicted, IReadOnlyList<bool> outcome, IReadOnlyList<double> bounds)
    {
        CheckSameLength(predicted, outcome);
        // One pass over the customers, each added to the band it falls in (in the customers' order, as a band's mean adds them).
        var (customers, predictedSum, positives) = (new int[bounds.Count - 1], new double[bounds.Count - 1], new int[bounds.Count - 1]);
        for (var i = 0; i < predicted.Count; i++)
        for (var k = 0; k + 1 < bounds.Count; k++)
        {
            var (from, to, last) = (bounds[k], bounds[k + 1], k + 2 == bounds.Count);
            if (!(predicted[i] >= from && (predicted[i] < to || last && predicted[i] <= to))) continue;
            customers[k]++;
            predictedSum[k] += predicted[i];
            if (outcome[i]) positives[k]++;
        }
        return [.. Enumerable.Range(0, bounds.Count - 1).Select(k => customers[k] == 0
            ? new CalibrationBand(bounds[k], bounds[k + 1], 0, 0, 0)
            : new CalibrationBand(bounds[k], bounds[k + 1], customers[k], predictedSum[k] / customers[k], positives[k] / (double)customers[k]))];
    }

    /// <summary>
    /// The customers' indexes by chance, then <paramref name="ranking"/>, then index (a stable order), sorted as plain numbers
    /// (<see cref="StableOrder"/>): by chance, then each run of equal chances by ranking, then each run equal in both by index.
    /// </summary>
    private static int[] Ordered(IReadOnlyList<double> chance, IReadOnlyList<double>? ranking)
    {
        var keys = new double[chance.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = chance[i];
        return StableOrder.Of(keys, ranking);
    }

    private static CalibrationBand Band(int[] members, IReadOnlyList<double> predicted, IReadOnlyList<bool> outcome, double from, double to) =>
        members.Length == 0
            ? new CalibrationBand(from, to, 0, 0, 0)
            : new CalibrationBand(from, to, members.Length, members.Average(i => predicted[i]), members.Count(i => outcome[i]) / (double)members.Length);

    private static void CheckSameLength(IReadOnlyList<double> values, IReadOnlyList<bool> outcome)
    {
        if (values.Count != outcome.Count) throw new ArgumentException($"{values.Count} predictions for {outcome.Count} outcomes.", nameof(outcome));
    }
}
