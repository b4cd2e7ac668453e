using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The track record fits each model again on the shop's orders up to 13 weeks ago, starting from its fit on all of them
/// (<see cref="IPurchaseModelFit.RefitOn"/>): it must end where a fit from scratch ends, whether the fit it starts from is
/// an interior maximum or a limiting model (where it starts afresh).
/// </summary>
public sealed class RefitFromANearbyFitTests(ITestOutputHelper output)
{
    public static TheoryData<DrawnShop, string> Shops => new()
    {
        { new("MBG/NBD, mostly one-time buyers, α under a week", 0.3, 0.6, 1.5, 1, 60_000, 700, 730, 22, Process.MbgNbd), "MBG/NBD" },
        { new("MBG/NBD, frequent buyers", 2, 4, 0.3, 8, 5_000, 180, 200, 23, Process.MbgNbd), "MBG/NBD" },
        { new("Pareto/NBD, CDNOW-like", 0.55, 10.6, 0.6, 11.7, 10_000, 84, 273, 31, Process.ParetoNbd), "Pareto/NBD" },
        { new("Pareto/NBD, small shop", 0.8, 1.5, 1.2, 20, 1_000, 360, 364, 34, Process.ParetoNbd), "Pareto/NBD" },
        { new("nobody ever leaves", 0.8, 6, 0, 1, 5_000, 300, 364, 35), "MBG/NBD" },
    };

    [Theory]
    [MemberData(nameof(Shops))]
    public void A_refit_on_the_earlier_orders_from_the_fit_on_all_of_them_ends_where_a_fit_from_scratch_ends(DrawnShop shop, string model)
    {
        var firstDay = new DateOnly(2024, 1, 1);
        var today = firstDay.AddDays(shop.CalibrationDays);
        var days = shop.DrawPurchaseDays(firstDay, shop.CalibrationDays);
        var everything = HoldoutSplit.Create(days, today, today.AddDays(1)).Calibration;
        var earlier = HoldoutSplit.EndingOn(days, today).Calibration;
        var onEverything = PurchaseModelChoice.Fit(model, everything);

        var refitted = onEverything.RefitOn(earlier);
        var fromScratch = PurchaseModelChoice.Fit(model, earlier);

        output.WriteLine($"{shop}: on everything {onEverything.Model} (limit: {onEverything.Limit?.Name ?? "none"}); " +
                         $"refitted {refitted.Model} LL {refitted.LogLikelihood:F6}; from scratch {fromScratch.Model} LL {fromScratch.LogLikelihood:F6}");
        refitted.Model.Name.Should().Be(model);
        refitted.LogLikelihood.Should().BeGreaterThanOrEqualTo(fromScratch.LogLikelihood - 1e-6 * Math.Abs(fromScratch.LogLikelihood));
        (refitted.Limit?.Name).Should().Be(fromScratch.Limit?.Name);
        // Along a flat ridge two searches stop a little apart: far inside the parameters' own uncertainty.
        if (fromScratch.Limit is null)
            foreach (var (name, value) in fromScratch.Parameters)
                refitted.Parameters[name].Should().BeApproximately(value, 0.05 * fromScratch.StandardErrors[name], name);
    }
}
