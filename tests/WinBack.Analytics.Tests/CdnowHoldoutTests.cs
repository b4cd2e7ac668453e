using System.Globalization;

namespace WinBack.Analytics.Tests;

/// <summary>
/// The track record on CDNOW as Fader, Hardie &amp; Lee (2005) drew it: the 1/10 sample (2,357 customers, first purchases in
/// the first 12 weeks of 1997), calibration to 1997-09-30, 39 weeks held out to 1998-06-30, purchase days in weeks
/// (../shared/reference/analytics-models.md §8, §10).
/// </summary>
public sealed class CdnowHoldoutTests
{
    /// <summary>Each sample customer's purchase dates from CDNOW_sample.txt (master id, sample id, yyyyMMdd, CDs, dollars).</summary>
    private static readonly Lazy<List<(int Id, List<DateOnly> Days)>> PurchaseDays = new(() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "CDNOW_sample.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .GroupBy(f => int.Parse(f[1], CultureInfo.InvariantCulture), f => DateOnly.ParseExact(f[2], "yyyyMMdd", CultureInfo.InvariantCulture))
            .Select(g => (g.Key, g.ToList()))
            .ToList());

    private static readonly Lazy<HoldoutSplit> Split = new(() =>
        HoldoutSplit.Create(PurchaseDays.Value.Select(c => c.Days), new DateOnly(1997, 9, 30), new DateOnly(1998, 6, 30)));

    private static readonly BetaGeometricNbd Paper = new(0.243, 4.414, 0.793, 2.426);

    private static readonly Lazy<TrackRecord> Fitted = new(() => (TrackRecord)HoldoutEvaluation.Evaluate(Split.Value, c => BetaGeometricNbd.Fit(c).Model));

    [Fact]
    public void The_split_gives_the_published_calibration_summary_and_holdout_counts()
    {
        var split = Split.Value;
        var summary = Cdnow.WithIds.ToDictionary(c => c.Id, c => c.Customer);

        split.HoldoutWeeks.Should().Be(39);
        split.Customers.Should().HaveCount(2357);
        for (var i = 0; i < split.Customers.Count; i++)
        {
            var (c, published) = (split.Customers[i].Calibration, summary[PurchaseDays.Value[i].Id]);
            (c.Frequency, Math.Round(c.Recency, 2), Math.Round(c.Age, 2)).Should().Be((published.Frequency, published.Recency, published.Age), $"customer {PurchaseDays.Value[i].Id}");
        }
        split.Customers.Sum(c => c.HoldoutPurchases).Should().Be(1882, "1,959 holdout rows are 1,882 distinct customer-days");
        split.Customers.Count(c => c.Returned).Should().Be(684);
    }

    [Fact]
    public void Bg_nbd_predicts_1654_repeat_purchase_days_in_the_39_weeks_against_1882_actual()
    {
        var paper = (TrackRecord)HoldoutEvaluation.Evaluate(Split.Value, _ => Paper);

        Math.Round(paper.PredictedPurchases).Should().Be(1654, "the paper's parameters give 1,653.95");
        paper.ActualPurchases.Should().Be(1882);
        Fitted.Value.PredictedPurchases.Should().BeApproximately(1654, 1, "the fit on the calibration period is the paper's up to its rounding");
        Fitted.Value.ModelName.Should().Be("BG/NBD");
    }

    [Fact]
    public void By_past_purchases_the_groups_add_up_and_the_zero_class_matches_the_paper()
    {
        var groups = Fitted.Value.ByPastPurchases;

        groups.Select(g => g.Label).Should().Equal("0", "1", "2", "3", "4", "5", "6", "7+");
        groups.Sum(g => g.Customers).Should().Be(2357);
        groups.Sum(g => g.ActualPurchases).Should().Be(1882);
        groups.Sum(g => g.PredictedPurchases).Should().BeApproximately(Fitted.Value.PredictedPurchases, 1e-6);
        var none = groups[0];
        (none.Customers, none.ActualPurchases).Should().Be((1411, 334), "334 of the 1,411 one-time buyers' purchase days fell in the holdout");
        none.ActualPerCustomer.Should().BeApproximately(0.237, 0.0005);
        Math.Round(none.PredictedPerCustomer, 2).Should().Be(0.23, "the paper's zero-class holdout expectation");
        groups[^1].Customers.Should().Be(64, "946 repeat buyers, 882 of them with 1 to 6 repeat purchases");
    }

    [Fact]
    public void The_chance_of_buying_again_is_judged_beside_weeks_since_last_order()
    {
        var record = Fitted.Value;

        record.Model.Deciles.Should().HaveCount(10);
        record.Model.Deciles.Sum(d => d.Customers).Should().Be(2357);
        record.WeeksSinceLastOrder.Deciles.Sum(d => d.Customers).Should().Be(2357);
        record.Model.Deciles.Sum(d => d.ObservedShare * d.Customers).Should().BeApproximately(684, 1e-6);
        record.Model.ChanceBands.Sum(b => b.Customers).Should().Be(2357);
        // Our own figures, pinned so a change to the split, the fit or the scores shows: BG/NBD's chances are better
        // calibrated (Brier), while over 39 weeks the recency order alone ranks returners slightly better.
        record.Model.BrierScore.Should().BeApproximately(0.1612, 0.0005);
        record.Model.Auc!.Value.Should().BeApproximately(0.7569, 0.0005);
        record.WeeksSinceLastOrder.BrierScore.Should().BeApproximately(0.1708, 0.0005);
        record.WeeksSinceLastOrder.Auc!.Value.Should().BeApproximately(0.7714, 0.0005);
        record.RuleWindowWeeks.Should().BeApproximately(19.43, 0.01, "half of the 38.86 weeks of history: the holdout is longer than the calibration");
        record.CalibrationSentence.Should().Be("Of customers we gave under 20 % chance of ordering within 39 weeks, 16 % did; of those we gave 60 % or more, 81 % did.");
        record.RankingSentence.Should().Be("Our ranking put a customer who came back above one who did not 76 % of the time; weeks since last order alone did 77 %.");
    }
}
