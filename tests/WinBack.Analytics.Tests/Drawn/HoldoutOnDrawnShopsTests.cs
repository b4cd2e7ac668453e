using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The track record on shops drawn from a known BG/NBD, where the model is right by construction: refitted on the
/// calibration period it must predict the holdout's purchases within a few percent (large shops), and rank and forecast
/// returners at least as well as weeks since the last order.
/// </summary>
public sealed class HoldoutOnDrawnShopsTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop, int> Shops => new()
    {
        { new("CDNOW-like, 39 weeks held out", 0.25, 4.4, 0.8, 2.4, 50_000, 84, 272, 1), 273 },
        { new("CDNOW-like, a quarter held out", 0.25, 4.4, 0.8, 2.4, 50_000, 84, 272, 2), 91 },
        { new("steady regulars over two years", 1.2, 12, 0.9, 10, 20_000, 700, 728, 7), 91 },
        { new("mostly one-time buyers", 0.3, 0.8, 0.5, 1.5, 50_000, 365, 400, 3), 91 },
        { new("small shop", 0.6, 0.5, 2, 5, 1_000, 360, 364, 5), 91 },
    };

    [Theory]
    [MemberData(nameof(Shops))]
    public void The_refitted_model_predicts_the_holdout_and_ranks_at_least_as_well_as_weeks_since_last_order(DrawnShop shop, int holdoutDays)
    {
        var start = new DateOnly(2024, 1, 1);
        var calibrationEnd = start.AddDays(shop.CalibrationDays);
        var split = HoldoutSplit.Create(shop.DrawPurchaseDays(start, shop.CalibrationDays + holdoutDays), calibrationEnd, calibrationEnd.AddDays(holdoutDays));

        var record = HoldoutEvaluation.Evaluate(split, c => BetaGeometricNbd.Fit(c).Model).Should().BeOfType<TrackRecord>().Subject;

        output.WriteLine($"{shop}: predicted {record.PredictedPurchases:F0}, actual {record.ActualPurchases}; AUC {record.Model.Auc:F4} against {record.WeeksSinceLastOrder.Auc:F4}; " +
                         $"Brier {record.Model.BrierScore:F4} against {record.WeeksSinceLastOrder.BrierScore:F4}");
        record.Customers.Should().Be(shop.Customers);
        record.Model.Auc!.Value.Should().BeGreaterThanOrEqualTo(record.WeeksSinceLastOrder.Auc!.Value - 0.005);
        record.Model.BrierScore.Should().BeLessThanOrEqualTo(record.WeeksSinceLastOrder.BrierScore);
        if (shop.Customers >= 20_000)
            record.PredictedPurchases.Should().BeApproximately(record.ActualPurchases, 0.04 * record.ActualPurchases,
                "a thousand customers' holdout total varies by ten percent around its expectation; tens of thousands' by one or two");
    }
}
