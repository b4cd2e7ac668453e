using System.Globalization;

namespace WinBack.Web.Outcomes;

/// <summary>One group's listings old enough for a window: how many, how many came back, what they spent (and its sum of squares, for the interval).</summary>
public sealed record GroupOutcome(int Listed, int CameBack, decimal Revenue)
{
    internal decimal RevenueSquares { get; init; }
    public double? Rate => Listed == 0 ? null : Math.Round((double)CameBack / Listed, 4);
    public decimal? RevenuePerCustomer => Listed == 0 ? null : Math.Round(Revenue / Listed, 2);
}

/// <summary>Contacted minus control, with its 95 % confidence interval (<see cref="Margin"/> is the ± half-width).</summary>
public sealed record Difference(double Estimate, double Lower, double Upper, double Margin);

/// <summary>
/// Contacted against control over one window. <see cref="TooSmall"/> says in words why there is no interval yet; the
/// differences are null then.
/// </summary>
public sealed record LiftWindow(int Days, GroupOutcome Contacted, GroupOutcome Control, Difference? RateDifference, Difference? RevenueDifference, string? TooSmall);

public sealed record LiftRow(string? Segment, IReadOnlyList<LiftWindow> Windows);

/// <summary>What win-back earned against the control group: per window and segment, and one sentence for the page and the digest.</summary>
public sealed record LiftReport(bool ControlGroupOn, int ControlPercent, string WhyControlGroup, string Method, string Headline, int? HeadlineDays, LiftRow All,
    IReadOnlyList<LiftRow> Segments);

/// <summary>
/// The statistics of the lift: the difference of two proportions (came back) and of two means (revenue per listed
/// customer), each with a 95 % interval from the normal approximation. The approximation is trusted only when each group
/// has <see cref="MinimumListed"/> listings and <see cref="MinimumEach"/> customers who came back and as many who did not.
/// </summary>
public static class LiftStatistics
{
    private const double Z95 = 1.959963984540054;
    public const int MinimumListed = 30;
    public const int MinimumEach = 5;

    public static readonly string Method =
        "Contacted customers' rate minus the control group's, with a 95 % confidence interval from the normal approximation " +
        "(difference of two proportions; for revenue, of two means with each group's own variance). " +
        $"An interval is given once each group has {MinimumListed} customers listed long enough ago, at least {MinimumEach} who came back and {MinimumEach} who did not.";

    public static LiftWindow Compare(int days, GroupOutcome contacted, GroupOutcome control)
    {
        var tooSmall = TooSmall(contacted) ?? TooSmall(control);
        if (tooSmall is not null) return new LiftWindow(days, contacted, control, null, null, $"Not enough customers yet for a reliable comparison: {tooSmall}");
        return new LiftWindow(days, contacted, control, RateDifference(contacted, control), RevenueDifference(contacted, control), null);
    }

    private static string? TooSmall(GroupOutcome g) => g switch
    {
        { Listed: < MinimumListed } => $"each group needs {MinimumListed} customers listed at least this long ago.",
        { CameBack: < MinimumEach } => $"each group needs at least {MinimumEach} customers who came back.",
        _ when g.Listed - g.CameBack < MinimumEach => $"each group needs at least {MinimumEach} customers who did not come back.",
        _ => null,
    };

    public static Difference RateDifference(GroupOutcome contacted, GroupOutcome control)
    {
        double p1 = (double)contacted.CameBack / contacted.Listed, p0 = (double)control.CameBack / control.Listed;
        var standardError = Math.Sqrt(p1 * (1 - p1) / contacted.Listed + p0 * (1 - p0) / control.Listed);
        return Interval(p1 - p0, standardError, 4);
    }

    public static Difference RevenueDifference(GroupOutcome contacted, GroupOutcome control)
    {
        static (double Mean, double Variance) Moments(GroupOutcome g)
        {
            var mean = (double)g.Revenue / g.Listed;
            return (mean, Math.Max(0, ((double)g.RevenueSquares - g.Listed * mean * mean) / (g.Listed - 1)));
        }
        var (m1, v1) = Moments(contacted);
        var (m0, v0) = Moments(control);
        return Interval(m1 - m0, Math.Sqrt(v1 / contacted.Listed + v0 / control.Listed), 2);
    }

    private static Difference Interval(double estimate, double standardError, int digits)
    {
        var margin = Z95 * standardError;
        return new Difference(Math.Round(estimate, digits), Math.Round(estimate - margin, digits), Math.Round(estimate + margin, digits), Math.Round(margin, digits));
    }

    /// <summary>The sentence of the page's lift card and of the digest, from the longest window with an interval.</summary>
    public static (string Sentence, int? Days) Headline(bool controlGroupOn, LiftRow all)
    {
        var measured = all.Windows.LastOrDefault(w => w.RateDifference is not null);
        if (measured is { RateDifference: { } d })
        {
            var percent = (double x) => (x * 100).ToString("0.0", CultureInfo.InvariantCulture);
            return ($"Win-back brought back {percent(Math.Abs(d.Estimate))} % {(d.Estimate >= 0 ? "more" : "fewer")} customers (± {percent(d.Margin)} %) " +
                $"than the control group over {measured.Days} days: {percent(measured.Contacted.Rate!.Value)} % of contacted customers ordered again, " +
                $"against {percent(measured.Control.Rate!.Value)} % of the control group.", measured.Days);
        }
        if (!controlGroupOn && all.Windows.All(w => w.Control.Listed == 0))
            return ("Turn on the control group in Settings to measure how many more customers come back because WinBack listed them.", null);
        return ($"Not enough customers yet to measure win-back against the control group: each group needs {MinimumListed} customers listed at least 30 days ago, " +
            $"with at least {MinimumEach} who came back and {MinimumEach} who did not.", null);
    }
}
