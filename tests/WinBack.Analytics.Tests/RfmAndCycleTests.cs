namespace WinBack.Analytics.Tests;

public sealed class RfmAndCycleTests
{
    [Fact]
    public void Every_one_of_the_eleven_segments_can_occur()
    {
        var reached = new HashSet<RfmSegment>();
        for (var r = 1; r <= 5; r++) for (var f = 1; f <= 5; f++) for (var m = 1; m <= 5; m++) reached.Add(Rfm.SegmentOf(r, f, m));

        reached.Should().BeEquivalentTo(Enum.GetValues<RfmSegment>());
    }

    [Theory]
    [InlineData(5, 5, 5, RfmSegment.Champions)]
    [InlineData(5, 1, 1, RfmSegment.New)]
    [InlineData(4, 1, 1, RfmSegment.Promising)]
    [InlineData(1, 5, 5, RfmSegment.CantLoseThem)]
    [InlineData(1, 1, 1, RfmSegment.Lost)]
    [InlineData(2, 1, 2, RfmSegment.Hibernating)]
    [InlineData(3, 2, 3, RfmSegment.NeedAttention)]
    public void The_table_reads_as_its_names_say(int r, int f, int m, RfmSegment expected) => Rfm.SegmentOf(r, f, m).Should().Be(expected);

    [Fact]
    public void Quintiles_split_a_shop_into_five_equal_groups_even_with_ties()
    {
        var customers = Enumerable.Range(0, 100).Select(i => new RfmInput(i, DaysSinceLastOrder: i, Orders: 1 + i % 2, TotalSpent: 50m)).ToList();

        var scores = Rfm.Score(customers);

        scores.GroupBy(s => s.Recency).Select(g => g.Count()).Should().AllBeEquivalentTo(20);
        scores.GroupBy(s => s.Monetary).Select(g => g.Count()).Should().AllBeEquivalentTo(20, "everyone spent the same; the rank still splits them");
        scores.Single(s => s.CustomerId == 0).Recency.Should().Be(5, "the most recent buyer");
        scores.Single(s => s.CustomerId == 99).Recency.Should().Be(1);
    }

    [Fact]
    public void Cut_points_give_each_customer_of_the_refit_the_same_scores_and_place_a_changed_customer_among_them()
    {
        var random = new Random(7);
        var customers = Enumerable.Range(0, 500)
            .Select(i => new RfmInput(i, random.Next(0, 400), 1 + random.Next(0, 12), Math.Round((decimal)(random.NextDouble() * 900) + 10, 2))).ToList();
        var ranked = Rfm.Score(customers);
        var cuts = RfmCutPoints.Of(customers, ranked);

        // Values tied across a quintile boundary are ranked by position at the refit; alone, the tie goes up.
        var distinct = customers.Select((c, i) => (c, i)).Where(p => customers.Count(o => o.DaysSinceLastOrder == p.c.DaysSinceLastOrder) == 1).ToList();
        distinct.Should().HaveCountGreaterThan(100);
        distinct.Select(p => cuts.Score(p.c).Recency).Should().Equal(distinct.Select(p => ranked[p.i].Recency));

        var lateBuyer = cuts.Score(new RfmInput(1, DaysSinceLastOrder: -3, Orders: 1, TotalSpent: 5m));
        (lateBuyer.Recency, lateBuyer.Frequency, lateBuyer.Monetary).Should().Be((5, 1, 1), "an order since the refit is the most recent; 5.00 is less than anyone spent");
        cuts.Score(new RfmInput(2, 1_000, 40, 50_000m)).Should().Be(new RfmScore(2, 1, 5, 5, RfmSegment.CantLoseThem));
    }

    [Fact]
    public void A_shop_of_three_customers_still_gets_scores()
    {
        var scores = Rfm.Score([new RfmInput(1, 3, 5, 500m), new RfmInput(2, 90, 1, 20m), new RfmInput(3, 30, 2, 80m)]);

        scores.Select(s => (s.CustomerId, s.Recency)).Should().Equal((1, 5), (2, 1), (3, 3));
    }

    [Fact]
    public void The_usual_interval_is_the_median_gap_and_overdue_is_time_away_over_it()
    {
        var interval = PurchaseCycle.UsualIntervalDays([new DateOnly(2026, 1, 31), new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 11)]);

        interval.Should().Be(15, "gaps of 10 and 20 days");
        PurchaseCycle.Overdue(30, interval).Should().Be(2);
        PurchaseCycle.UsualIntervalDays([new DateOnly(2026, 1, 1)]).Should().BeNull("one order has no rhythm yet");
        PurchaseCycle.Overdue(30, null).Should().BeNull();
    }
}
