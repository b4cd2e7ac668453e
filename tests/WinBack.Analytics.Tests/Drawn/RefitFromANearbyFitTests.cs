using System.Text.Json;
using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A fit that starts where a fit nearby ended: the track record's, on the shop's orders up to 13 weeks ago from the fit on
/// all of them (<see cref="IPurchaseModelFit.RefitOn"/>), and the weekly refit's, from where last week's fit ended as the
/// shop stored it (<see cref="FitStart"/>). Each must end where a fit from scratch ends, whether the fit it starts from is
/// an interior maximum or a limiting model (where it starts afresh), and a start that cannot be used is passed over.
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

    [Theory]
    [MemberData(nameof(Shops))]
    public void A_fit_a_week_on_from_where_last_weeks_fit_ended_ends_where_a_fit_from_scratch_ends(DrawnShop shop, string model)
    {
        var firstDay = new DateOnly(2024, 1, 1);
        var today = firstDay.AddDays(shop.CalibrationDays);
        var days = shop.DrawPurchaseDays(firstDay, shop.CalibrationDays);
        var lastWeek = HoldoutSplit.Create(days, today.AddDays(-7), today.AddDays(-6)).Calibration;
        var thisWeek = HoldoutSplit.Create(days, today, today.AddDays(1)).Calibration;
        var lastWeeksFit = PurchaseModelChoice.Fit(model, lastWeek);
        // As the refit stores it, and reads it back a week later.
        var stored = JsonSerializer.Deserialize<FitStart>(JsonSerializer.Serialize(lastWeeksFit.Start, JsonSerializerOptions.Web), JsonSerializerOptions.Web);

        var fromLastWeek = PurchaseModelChoice.Fit(model, thisWeek, stored);
        var fromScratch = PurchaseModelChoice.Fit(model, thisWeek);

        output.WriteLine($"{shop}: last week {lastWeeksFit.Model} (limit: {lastWeeksFit.Limit?.Name ?? "none"}); " +
                         $"from it {fromLastWeek.Model} LL {fromLastWeek.LogLikelihood:F6}; from scratch {fromScratch.Model} LL {fromScratch.LogLikelihood:F6}");
        // A fit at a limit leaves no start: the likelihood is flat out there.
        (stored is null).Should().Be(lastWeeksFit.Limit is not null);
        fromLastWeek.StartedNear.Should().Be(stored is not null && fromScratch.Limit is null);
        fromScratch.StartedNear.Should().BeFalse();
        fromLastWeek.LogLikelihood.Should().BeGreaterThanOrEqualTo(fromScratch.LogLikelihood - 1e-6 * Math.Abs(fromScratch.LogLikelihood));
        (fromLastWeek.Limit?.Name).Should().Be(fromScratch.Limit?.Name);
        if (fromScratch.Limit is null)
            foreach (var (name, value) in fromScratch.Parameters)
                fromLastWeek.Parameters[name].Should().BeApproximately(value, 0.05 * fromScratch.StandardErrors[name], name);
    }

    public static TheoryData<string, Func<FitStart, FitStart>> DamagedStarts => new()
    {
        { "nothing but the model's name", s => s with { LogParameters = null!, InverseHessian = null! } },
        { "a parameter missing", s => s with { LogParameters = s.LogParameters[..3] } },
        { "a parameter not a number", s => s with { LogParameters = [double.NaN, .. s.LogParameters[1..]] } },
        { "a parameter beyond the search's bounds", s => s with { LogParameters = [40, .. s.LogParameters[1..]] } },
        { "a curvature of the wrong size", s => s with { InverseHessian = s.InverseHessian[..3] } },
        { "a curvature curved the wrong way", s => s with { InverseHessian = [.. s.InverseHessian.Select(row => row.Select(v => -v).ToArray())] } },
    };

    [Theory]
    [MemberData(nameof(DamagedStarts))]
    public void A_start_that_cannot_be_used_is_passed_over_for_the_models_own_starts(string damage, Func<FitStart, FitStart> damaged)
    {
        var shop = new DrawnShop("Pareto/NBD, CDNOW-like", 0.55, 10.6, 0.6, 11.7, 10_000, 84, 273, 31, Process.ParetoNbd);
        var firstDay = new DateOnly(2024, 1, 1);
        var customers = HoldoutSplit.Create(shop.DrawPurchaseDays(firstDay, shop.CalibrationDays), firstDay.AddDays(shop.CalibrationDays),
            firstDay.AddDays(shop.CalibrationDays + 1)).Calibration;
        var fromScratch = PurchaseModelChoice.Fit("Pareto/NBD", customers);

        var fromDamaged = PurchaseModelChoice.Fit("Pareto/NBD", customers, damaged(fromScratch.Start!));

        fromDamaged.StartedNear.Should().BeFalse(damage);
        fromDamaged.LogLikelihood.Should().Be(fromScratch.LogLikelihood, damage);
    }
}
