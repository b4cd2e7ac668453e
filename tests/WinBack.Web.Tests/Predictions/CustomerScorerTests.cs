using WinBack.Analytics;
using WinBack.Web.Predictions;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// The scorer works out the 12-month value's costly part once for customers alike in repeat purchases and age: every
/// customer's value must still be the model's own for their whole history, whoever was scored before them.
/// </summary>
public sealed class CustomerScorerTests
{
    private static readonly DateOnly Today = new(2026, 11, 30);
    private static readonly OrderValueEstimate Spend = new GammaGamma(4.983, 3.392, 35.462).Estimate;

    public static TheoryData<string> Models => ["MBG/NBD", "Pareto/NBD"];

    private static IPurchaseModel Model(string name) => name == "MBG/NBD" ? new ModifiedBetaGeometricNbd(0.77, 3.789, 1.217, 5.78) : new ParetoNbd(0.55, 10.6, 0.61, 11.7);

    private static CustomerHistory History(long id, RepeatBuyer buyer) =>
        new(id, buyer, null, Today.AddDays(-(int)Math.Round((buyer.Age - buyer.Recency) * 7)), DateTimeOffset.UnixEpoch, buyer.Frequency + 1, 100m);

    [Theory]
    [MemberData(nameof(Models))]
    public void Customers_alike_in_purchases_and_age_are_valued_by_their_own_last_order_and_spend(string name)
    {
        var model = Model(name);
        // Pairs that share (x, T) and differ in when they last bought or what they spend, and neighbours that differ in x or T.
        RepeatBuyer[] buyers =
        [
            new(3, 40, 50, 30), new(3, 10, 50, 30), new(3, 49, 50, 90), new(3, 40, 51, 30), new(4, 40, 50, 30),
            new(0, 0, 50), new(0, 0, 20), new(12, 70, 80, 15), new(12, 20, 80, 15),
        ];
        var shared = new CustomerScorer(model, Spend, rfm: null);

        var values = buyers.Select((b, i) => shared.Score(History(i, b), Today, new RfmScore(i, 3, 3, 3, RfmSegment.Loyal)).PredictedValue).ToList();

        var expected = buyers.Select(b => (decimal?)decimal.Round((decimal)model.DiscountedValue(b, Spend.ExpectedAverageValue(b)), 2)).ToList();
        values.Should().Equal(expected);
        values[1].Should().BeLessThan(values[0]!.Value, "the same customer who last bought 40 weeks ago instead of 10 is likelier gone");
        values[2].Should().BeGreaterThan(values[0]!.Value, "they spend three times as much a repeat order");
    }
}
