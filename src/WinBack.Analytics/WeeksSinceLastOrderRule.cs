namespace WinBack.Analytics;

/// <summary>
/// The plain rule a track record is compared with: the fewer weeks since a customer's last order, the likelier they buy
/// again. Its ranking is the order of weeks since the last order itself. To put it on the model's scale (a chance, for the
/// Brier score and the calibration table) it is given, for each number of weeks of silence, the share of customers who came
/// back, learnt from the calibration data alone so that neither side sees the holdout:
/// <list type="bullet">
/// <item>the calibration data are cut once more, a window earlier: at (calibration end − w) each customer known then has a
/// number of weeks since their last order, and either bought in the following w weeks or not. The window w is the holdout's
/// length, or half the calibration history when that is shorter (CDNOW: 39 weeks held out after 38.9 weeks of history);</item>
/// <item>the silences are pooled into bands of at least a twentieth of those customers, and the bands' shares of returners
/// are fitted as a non-increasing step function (isotonic regression, pool-adjacent-violators): the rule's own belief that
/// longer silence never makes a return likelier. Silences beyond those seen keep the last step, which the bands keep from
/// resting on a handful of customers;</item>
/// <item>a window shorter than the holdout is stretched as if a silent customer's weekly chance stayed what it was:
/// 1 − (1 − share)^(holdout / window). That is what a rule without drop-out believes.</item>
/// </list>
/// </summary>
internal sealed class WeeksSinceLastOrderRule
{
    private readonly double[] _silences;
    private readonly double[] _chances;

    private WeeksSinceLastOrderRule(double[] silences, double[] chances) => (_silences, _chances) = (silences, chances);

    /// <summary>The window of the earlier cut, in whole days: the holdout's length, or half the calibration history if shorter.</summary>
    public static int WindowDays(HoldoutSplit split) =>
        Math.Min(split.HoldoutEnd.DayNumber - split.CalibrationEnd.DayNumber, (int)(split.CalibrationWeeks * HoldoutSplit.DaysPerWeek / 2));

    public static WeeksSinceLastOrderRule Learn(HoldoutSplit split)
    {
        var windowDays = WindowDays(split);
        var cut = split.CalibrationEnd.AddDays(-windowDays);
        // (weeks of silence at the cut, returned within the window) of every customer known at the cut, by silence. The
        // order among equal silences does not matter (a band holds all of a silence or none): a plain sort of the keys.
        var observed = split.Customers
            .Where(c => c.CalibrationDays[0] <= cut)
            .Select(c =>
            {
                var known = Array.BinarySearch(c.CalibrationDays, cut) is var i && i >= 0 ? i : ~i - 1;
                return (Silence: (cut.DayNumber - c.CalibrationDays[known].DayNumber) / HoldoutSplit.DaysPerWeek, Returned: known + 1 < c.CalibrationDays.Length);
            })
            .ToArray();
        Array.Sort(Array.ConvertAll(observed, o => o.Silence), observed);
        var bands = Bands(observed);
        var stretch = (split.HoldoutEnd.DayNumber - split.CalibrationEnd.DayNumber) / (double)Math.Max(windowDays, 1);
        var shares = NonIncreasing(bands.Select(b => (b.Returned, b.Count)).ToArray());
        return new WeeksSinceLastOrderRule(bands.Select(b => b.From).ToArray(), shares.Select(s => 1 - Math.Pow(1 - s, stretch)).ToArray());
    }

    /// <summary>The fewest customers in a band of silence: a twentieth of those observed, and at least this many.</summary>
    private const int SmallestBand = 10;

    /// <summary>
    /// Consecutive silences pooled into bands of at least <see cref="SmallestBand"/> customers and a twentieth of all, equal
    /// silences never split, so a share rests on enough customers; a short last band joins the one before. Each band is named
    /// by its shortest silence.
    /// </summary>
    private static List<(double From, double Returned, double Count)> Bands((double Silence, bool Returned)[] observed)
    {
        var least = Math.Max(SmallestBand, observed.Length / 20);
        var bands = new List<(double From, double Returned, double Count)>();
        for (var start = 0; start < observed.Length;)
        {
            var end = Math.Min(start + least, observed.Length);
            while (end < observed.Length && observed[end].Silence == observed[end - 1].Silence) end++;
            var band = (From: observed[start].Silence, Returned: (double)observed[start..end].Count(o => o.Returned), Count: (double)(end - start));
            if (end - start < least && bands.Count > 0) bands[^1] = (bands[^1].From, bands[^1].Returned + band.Returned, bands[^1].Count + band.Count);
            else bands.Add(band);
            start = end;
        }
        return bands;
    }

    /// <summary>The rule's chance of a purchase in the holdout for a customer silent this many weeks at the calibration end.</summary>
    public double Chance(double weeksSinceLastOrder)
    {
        if (_silences.Length == 0) return 0;
        var i = Array.BinarySearch(_silences, weeksSinceLastOrder);
        return _chances[Math.Max(i >= 0 ? i : ~i - 1, 0)];
    }

    /// <summary>Pool-adjacent-violators: the weighted least-squares non-increasing fit to the bands' shares, one per band.</summary>
    private static double[] NonIncreasing((double Returned, double Count)[] groups)
    {
        var blocks = new List<(double Returned, double Count, int Groups)>();
        foreach (var (returned, count) in groups)
        {
            var block = (Returned: returned, Count: count, Groups: 1);
            while (blocks.Count > 0 && blocks[^1].Returned / blocks[^1].Count < block.Returned / block.Count)
            {
                var before = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                block = (before.Returned + block.Returned, before.Count + block.Count, before.Groups + block.Groups);
            }
            blocks.Add(block);
        }
        return blocks.SelectMany(b => Enumerable.Repeat(b.Returned / b.Count, b.Groups)).ToArray();
    }
}
