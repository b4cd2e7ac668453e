namespace WinBack.Analytics.Tests;

/// <summary>The holdout split and the track record on small hand-made shops: counting, too-young shops, the sentences.</summary>
public sealed class HoldoutEvaluationTests
{
    private static readonly DateOnly CalibrationEnd = new(2026, 6, 30), HoldoutEnd = new(2026, 9, 29);

    /// <summary>A model that gives each customer a chance set by the test and expects that many purchases.</summary>
    private sealed record GivenChances(Func<RepeatBuyer, double> Chance) : IPurchaseModel
    {
        public string Name => "given";
        public double LogLikelihood(IReadOnlyList<RepeatBuyer> customers) => 0;
        public double ProbabilityAlive(RepeatBuyer c) => 1;
        public double ExpectedPurchases(RepeatBuyer c, double t) => Chance(c);
        public double ExpectedPurchasesIfAlive(RepeatBuyer c, double t) => Chance(c);
        public double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t) => Chance(c);
        public double ProbabilityOfPurchaseWithinIfAlive(RepeatBuyer c, double t) => Chance(c);
    }

    private static DateOnly Day(int daysBeforeCalibrationEnd) => CalibrationEnd.AddDays(-daysBeforeCalibrationEnd);

    [Fact]
    public void Purchases_on_one_day_count_once_and_customers_who_started_in_the_holdout_are_left_out()
    {
        List<DateOnly>[] shop =
        [
            [Day(70), Day(70), Day(14), Day(-3), Day(-3), Day(-40), HoldoutEnd.AddDays(1)],
            [Day(0)],
            [Day(-1), Day(-20)],
        ];

        var split = HoldoutSplit.Create(shop, CalibrationEnd, HoldoutEnd);

        split.HoldoutWeeks.Should().Be(13);
        split.Customers.Should().HaveCount(2, "the third customer's first purchase came after the calibration end");
        split.Customers[0].Calibration.Should().Be(new RepeatBuyer(1, 8, 10));
        split.Customers[0].HoldoutPurchases.Should().Be(2, "two holdout days; the purchase after the holdout end does not count");
        split.Customers[0].WeeksSinceLastOrder.Should().Be(2);
        split.Customers[1].Should().BeEquivalentTo(new { Calibration = new RepeatBuyer(0, 0, 0), HoldoutPurchases = 0, Returned = false });
        split.FirstPurchase.Should().Be(Day(70));
        split.CalibrationWeeks.Should().Be(10);
        HoldoutSplit.EndingOn(shop, HoldoutEnd).CalibrationEnd.Should().Be(CalibrationEnd, "the default holdout is the 13 weeks up to its end");
    }

    [Fact]
    public void A_shop_with_under_13_weeks_before_the_holdout_is_too_young_and_is_not_fitted()
    {
        var shop = Enumerable.Range(0, 50).Select(i => new List<DateOnly> { Day(60 + i % 20), Day(i % 30), Day(-10) }).ToList();
        var fitted = false;

        var result = HoldoutEvaluation.Evaluate(HoldoutSplit.Create(shop, CalibrationEnd, HoldoutEnd), c => { fitted = true; return BetaGeometricNbd.Fit(c).Model; });

        var none = result.Should().BeOfType<NoTrackRecord>().Subject;
        none.Reason.Should().Be(NoTrackRecordReason.TooYoung);
        none.Explanation.Should().Be("Your shop is too young for a track record: we check our forecasts against the last 13 weeks, which takes 13 weeks " +
                                     "of orders before them, and your first order was on 12 April 2026. The first check comes on 11 October 2026.");
        fitted.Should().BeFalse();
        HoldoutEvaluation.Evaluate(HoldoutSplit.Create([], CalibrationEnd, HoldoutEnd), _ => throw new InvalidOperationException())
            .Should().BeOfType<NoTrackRecord>().Which.Explanation.Should().Contain("you had no orders by 30 June 2026");
    }

    [Fact]
    public void A_shop_with_too_few_repeat_customers_before_the_holdout_says_so()
    {
        var shop = Enumerable.Range(0, 200).Select(i => i < 3 ? new List<DateOnly> { Day(200), Day(10) } : [Day(100 + i % 100), Day(-5)]).ToList();

        var result = HoldoutEvaluation.Evaluate(HoldoutSplit.Create(shop, CalibrationEnd, HoldoutEnd), _ => throw new InvalidOperationException("not called"));

        result.Should().BeEquivalentTo(new
        {
            Reason = NoTrackRecordReason.TooFewRepeatCustomers,
            Explanation = "Your shop is too young for a track record: up to 30 June 2026, before the last 13 weeks, only 3 customers had ordered " +
                          "more than once, and the forecast needs at least 5 to learn from.",
        });
    }

    [Fact]
    public void A_fit_that_finds_no_answer_gives_no_track_record_in_words()
    {
        var result = HoldoutEvaluation.Evaluate(HoldoutSplit.Create(RegularShop(), CalibrationEnd, HoldoutEnd), _ => throw new NotEnoughDataException("The data do not pin the model down."));

        result.Should().BeOfType<NoTrackRecord>().Which.Should().BeEquivalentTo(new
        {
            Reason = NoTrackRecordReason.ModelNotFitted,
            Explanation = "The forecast could not be learnt from your orders up to 30 June 2026, so there is no track record this time. The data do not pin the model down.",
        });
    }

    /// <summary>40 customers over half a year: the i-th bought every (i % 8 + 1) weeks until week i % 30, and a few again later.</summary>
    private static List<List<DateOnly>> RegularShop() =>
        Enumerable.Range(0, 40).Select(i =>
        {
            var days = Enumerable.Range(0, 30).Where(w => w % (i % 8 + 1) == 0 && w <= i % 30).Select(w => Day(182 - 7 * w)).ToList();
            if (i % 3 == 0) days.Add(Day(-7 * (i % 13 + 1)));
            return days;
        }).ToList();

    [Fact]
    public void The_sentences_speak_of_the_lowest_and_highest_bands_and_both_rankings()
    {
        var split = HoldoutSplit.Create(RegularShop(), CalibrationEnd, HoldoutEnd);
        // Chance 0.9 for repeat buyers, 0.1 for one-time buyers.
        var record = (TrackRecord)HoldoutEvaluation.Evaluate(split, _ => new GivenChances(c => c.Frequency > 0 ? 0.9 : 0.1));
        var (low, high) = (split.Customers.Where(c => c.Calibration.Frequency == 0).ToList(), split.Customers.Where(c => c.Calibration.Frequency > 0).ToList());

        record.Model.ChanceBands.Select(b => b.Customers).Should().Equal(low.Count, 0, 0, high.Count);
        record.PredictedPurchases.Should().BeApproximately(0.1 * low.Count + 0.9 * high.Count, 1e-9);
        var (lowShare, highShare) = (low.Count(c => c.Returned) / (double)low.Count, high.Count(c => c.Returned) / (double)high.Count);
        record.CalibrationSentence.Should().Be(
            $"Of customers we gave under 20 % chance of ordering within 13 weeks, {Math.Round(100 * lowShare, MidpointRounding.AwayFromZero)} % did; " +
            $"of those we gave 60 % or more, {Math.Round(100 * highShare, MidpointRounding.AwayFromZero)} % did.");
        var returned = split.Customers.Select(c => c.Returned).ToArray();
        record.Model.Auc.Should().Be(ForecastScores.Auc(split.Customers.Select(c => c.Calibration.Frequency > 0 ? 0.9 : 0.1).ToArray(), returned));
        record.WeeksSinceLastOrder.Auc.Should().Be(ForecastScores.Auc(split.Customers.Select(c => -c.WeeksSinceLastOrder).ToArray(), returned),
            "the rule ranks by weeks since the last order itself");
        record.RankingSentence.Should().Be(
            $"Our ranking put a customer who came back above one who did not {Math.Round(100 * record.Model.Auc!.Value, MidpointRounding.AwayFromZero)} % of the time; " +
            $"weeks since last order alone did {Math.Round(100 * record.WeeksSinceLastOrder.Auc!.Value, MidpointRounding.AwayFromZero)} %.");
    }

    [Fact]
    public void With_one_band_and_nobody_back_the_sentences_still_read()
    {
        var shop = RegularShop().Select(days => days.Where(d => d <= CalibrationEnd).ToList()).ToList();

        var record = (TrackRecord)HoldoutEvaluation.Evaluate(HoldoutSplit.Create(shop, CalibrationEnd, HoldoutEnd), _ => new GivenChances(_ => 0.3));

        record.CalibrationSentence.Should().Be("We gave every customer 20 to 40 % chance of ordering within 13 weeks; 0 % did.");
        record.RankingSentence.Should().Be("Nobody ordered again within those 13 weeks, so there is no ranking to check this time.");
        record.Model.Auc.Should().BeNull();
        record.Model.BrierScore.Should().BeApproximately(0.09, 1e-12);
    }

    [Fact]
    public void The_rule_learns_its_chances_from_the_calibration_data_alone_and_they_fall_with_silence()
    {
        var shop = RegularShop();
        var otherHoldout = shop.Select((days, i) => i % 2 == 0 ? [.. days.Where(d => d <= CalibrationEnd), HoldoutEnd] : days.Where(d => d <= CalibrationEnd).ToList()).ToList();
        TrackRecord Record(List<List<DateOnly>> s) => (TrackRecord)HoldoutEvaluation.Evaluate(HoldoutSplit.Create(s, CalibrationEnd, HoldoutEnd), _ => new GivenChances(_ => 0.5));

        var (one, other) = (Record(shop), Record(otherHoldout));

        other.WeeksSinceLastOrder.Deciles.Select(d => d.MeanPredicted).Should().Equal(one.WeeksSinceLastOrder.Deciles.Select(d => d.MeanPredicted), "the holdout is not read");
        other.WeeksSinceLastOrder.Deciles.Select(d => d.ObservedShare).Should().NotEqual(one.WeeksSinceLastOrder.Deciles.Select(d => d.ObservedShare));
        one.RuleWindowWeeks.Should().Be(13);
        var rule = WeeksSinceLastOrderRule.Learn(HoldoutSplit.Create(shop, CalibrationEnd, HoldoutEnd));
        var chances = Enumerable.Range(0, 60).Select(halfWeeks => rule.Chance(halfWeeks / 2.0)).ToList();
        chances.Should().BeInDescendingOrder().And.OnlyContain(c => c >= 0 && c <= 1);
        chances[0].Should().BeGreaterThan(chances[^1], "a customer who just bought is likelier to come back than one silent for 30 weeks");
    }

    /// <summary>
    /// 20 customers silent 1 week and 20 silent 5 weeks at the earlier cut (<paramref name="cutDaysBack"/> days before the
    /// calibration end), of whom <paramref name="recentBack"/> and <paramref name="silentBack"/> bought again before the calibration end.
    /// </summary>
    private static List<List<DateOnly>> SilentAtTheCut(int recentBack, int silentBack, int cutDaysBack = 91, int firstDaysBack = 210) =>
        Enumerable.Range(0, 40).Select(i =>
        {
            var recent = i < 20;
            var days = new List<DateOnly> { Day(firstDaysBack), Day(cutDaysBack + (recent ? 7 : 35)) };
            if (i % 20 < (recent ? recentBack : silentBack)) days.Add(Day(cutDaysBack / 2));
            return days;
        }).ToList();

    [Fact]
    public void The_rules_chance_is_the_share_that_came_back_after_the_earlier_cut_kept_non_increasing()
    {
        var falling = WeeksSinceLastOrderRule.Learn(HoldoutSplit.Create(SilentAtTheCut(16, 10), CalibrationEnd, HoldoutEnd));
        var rising = WeeksSinceLastOrderRule.Learn(HoldoutSplit.Create(SilentAtTheCut(10, 16), CalibrationEnd, HoldoutEnd));

        (falling.Chance(0), falling.Chance(1), falling.Chance(3), falling.Chance(5), falling.Chance(40)).Should().Be((0.8, 0.8, 0.8, 0.5, 0.5));
        (rising.Chance(1), rising.Chance(5)).Should().Be((0.65, 0.65), "a longer silence with more returners is pooled with the shorter one");
    }

    [Fact]
    public void A_calibration_history_shorter_than_two_holdouts_learns_on_half_of_it_and_stretches_the_share()
    {
        // 140 days of history: the earlier cut is 70 days before the calibration end, and a 70-day share is stretched to 91 days.
        var split = HoldoutSplit.Create(SilentAtTheCut(16, 10, cutDaysBack: 70, firstDaysBack: 140), CalibrationEnd, HoldoutEnd);

        var rule = WeeksSinceLastOrderRule.Learn(split);

        WeeksSinceLastOrderRule.WindowDays(split).Should().Be(70);
        rule.Chance(1).Should().BeApproximately(1 - Math.Pow(1 - 0.8, 91 / 70.0), 1e-12);
        rule.Chance(5).Should().BeApproximately(1 - Math.Pow(1 - 0.5, 91 / 70.0), 1e-12);
    }
}
