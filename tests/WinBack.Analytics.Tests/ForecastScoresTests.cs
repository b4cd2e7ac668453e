namespace WinBack.Analytics.Tests;

/// <summary>The Brier score, the AUC and the calibration tables on cases small enough to work out by hand.</summary>
public sealed class ForecastScoresTests
{
    [Fact]
    public void The_brier_score_is_the_mean_squared_miss()
    {
        ForecastScores.Brier([0.9, 0.2, 0.5], [true, false, true]).Should().BeApproximately((0.01 + 0.04 + 0.25) / 3, 1e-12);
        ForecastScores.Brier([1, 0], [true, false]).Should().Be(0);
        ForecastScores.Brier([0.5, 0.5], [true, false]).Should().Be(0.25);
    }

    [Fact]
    public void The_auc_counts_the_pairs_a_returner_wins()
    {
        // Pairs (returner, not): 0.35 beats 0.1 and loses to 0.4; 0.8 beats both: 3 of 4.
        ForecastScores.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]).Should().Be(0.75);
        ForecastScores.Auc([1, 2, 3, 4], [false, false, true, true]).Should().Be(1);
        ForecastScores.Auc([4, 3, 2, 1], [false, false, true, true]).Should().Be(0);
    }

    [Fact]
    public void A_tie_between_a_returner_and_a_non_returner_counts_half()
    {
        // Returners score 0.5 and 0.9, the others 0.5 and 0.5: the 0.5 returner ties twice (1), the 0.9 one wins twice (2).
        ForecastScores.Auc([0.5, 0.5, 0.5, 0.9], [true, false, false, true]).Should().Be(0.75);
        ForecastScores.Auc([0.3, 0.3, 0.3], [true, false, true]).Should().Be(0.5, "all tied is a coin");
    }

    [Fact]
    public void The_auc_from_mid_ranks_equals_counting_every_pair_on_heavily_tied_scores()
    {
        var random = new Random(11);
        var score = Enumerable.Range(0, 300).Select(_ => Math.Round(random.NextDouble() * 5) / 5).ToArray();
        var outcome = score.Select(s => random.NextDouble() < 0.2 + 0.5 * s).ToArray();
        double wins = 0, pairs = 0;
        for (var i = 0; i < score.Length; i++)
            for (var j = 0; j < score.Length; j++)
                if (outcome[i] && !outcome[j])
                {
                    pairs++;
                    wins += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
                }

        ForecastScores.Auc(score, outcome)!.Value.Should().BeApproximately(wins / pairs, 1e-12);
        score.Distinct().Should().HaveCount(6, "the case has ties in every group");
    }

    [Fact]
    public void Without_returners_or_without_non_returners_there_is_no_auc()
    {
        ForecastScores.Auc([0.2, 0.7], [false, false]).Should().BeNull();
        ForecastScores.Auc([0.2, 0.7], [true, true]).Should().BeNull();
        ForecastScores.Auc([], []).Should().BeNull();
    }

    [Fact]
    public void Deciles_cut_the_sorted_customers_into_near_equal_groups_that_add_up()
    {
        var predicted = Enumerable.Range(0, 25).Select(i => (24 - i) / 25.0).ToArray();
        var outcome = predicted.Select((_, i) => i % 3 == 0).ToArray();

        var deciles = ForecastScores.Quantiles(predicted, outcome);

        deciles.Should().HaveCount(10);
        deciles.Select(d => d.Customers).Should().Equal(2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
        deciles.Sum(d => d.Customers).Should().Be(25);
        deciles[0].Should().Be(new CalibrationBand(0, 0.04, 2, 0.02, 0.5), "the two lowest predictions 0 and 0.04 (customers 24 and 23: one returned)");
        deciles.Select(d => d.MeanPredicted).Should().BeInAscendingOrder();
        deciles.Sum(d => d.ObservedShare * d.Customers).Should().BeApproximately(outcome.Count(o => o), 1e-9);
        ForecastScores.Quantiles([0.1, 0.5, 0.9], [false, true, true]).Select(d => d.Customers).Should().Equal(1, 1, 1);
    }

    [Fact]
    public void Equal_chances_are_cut_by_the_ranking_when_one_is_given()
    {
        // Four customers share the chance 0.3; the ranking puts the two who came back last.
        double[] chance = [0.3, 0.3, 0.3, 0.3];
        bool[] returned = [true, false, true, false];

        var halves = ForecastScores.Quantiles(chance, returned, groups: 2, ranking: [4, 1, 3, 2]);

        halves.Select(h => h.ObservedShare).Should().Equal(0, 1);
        halves.Should().OnlyContain(h => h.From == 0.3 && h.To == 0.3 && h.MeanPredicted == 0.3);
        ForecastScores.Quantiles(chance, returned, groups: 2).Select(h => h.ObservedShare).Should().Equal([0.5, 0.5], "without a ranking ties keep the input order");
    }

    [Fact]
    public void Fixed_bands_hold_their_lower_bound_list_empty_bands_and_keep_one_in_the_last()
    {
        var bands = ForecastScores.Bands([0.1, 0.2, 0.65, 1], [false, true, true, true], [0, 0.2, 0.4, 0.6, 1]);

        bands.Select(b => b.Customers).Should().Equal(1, 1, 0, 2);
        bands[2].Should().Be(new CalibrationBand(0.4, 0.6, 0, 0, 0));
        bands[3].MeanPredicted.Should().BeApproximately(0.825, 1e-12);
        bands[0].ObservedShare.Should().Be(0);
    }
}
