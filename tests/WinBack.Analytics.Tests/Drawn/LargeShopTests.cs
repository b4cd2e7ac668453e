using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// A shop large enough that the fit compares its starts on a sample of 50,000 customers and polishes the best on everyone
/// (over 50,000 distinct (x, t_x, T)): the polished end is the full data's maximum, close to the parameters drawn from.
/// </summary>
public sealed class LargeShopTests(ITestOutputHelper output)
{
    [Fact]
    public void A_large_shop_is_compared_on_a_sample_and_fitted_on_everyone()
    {
        var shop = new DrawnShop("large, daily", 0.55, 10.6, 0.6, 11.7, 250_000, 365, 730, 41, Process.ParetoNbd);
        var customers = shop.Draw();
        new GroupedCustomers(customers).Counts.Length.Should().BeGreaterThan(50_000, "the sample is used only above that");

        var fit = ParetoNbd.Fit(customers);

        output.WriteLine($"{fit.Model} LL {fit.LogLikelihood:F3} SE {string.Join(", ", fit.StandardErrors.Values)}");
        double[] drawn = [shop.R, shop.Alpha, shop.A, shop.B];
        for (var i = 0; i < 4; i++)
            fit.Parameters.Values.ElementAt(i).Should().BeApproximately(drawn[i], 4 * fit.StandardErrors.Values[i] + 0.02 * drawn[i], fit.StandardErrors.Names[i]);
        fit.LogLikelihood.Should().BeGreaterThan(new ParetoNbd(shop.R, shop.Alpha, shop.A, shop.B).LogLikelihood(customers));
        var data = new GroupedCustomers(customers);
        var gradient = new double[4];
        fit.Model.LogLikelihood(data, gradient);
        gradient.Should().OnlyContain(g => Math.Abs(g) < 1e-6 * customers.Count, "the end is a maximum of everyone's likelihood, not the sample's");
    }

    [Fact]
    public void A_large_shops_returning_customers_interval_from_a_sample_of_groups_is_the_interval_from_all_of_them()
    {
        var shop = new DrawnShop("mid-size, daily", 0.25, 8, 1.2, 2.4, 80_000, 365, 730, 7, Process.MbgNbd);
        var customers = shop.Draw();
        var groups = new GroupedCustomers(customers).Counts.Length;
        groups.Should().BeGreaterThan(3 * ReturningCustomersForecast.SampledGroups, "the draws then see a small part of the groups");
        var fit = ModifiedBetaGeometricNbd.Fit(customers);

        foreach (var weeks in new[] { 4.0, 13.0 })
        {
            var sampled = fit.ReturningCustomers(customers, weeks, draws: 200);
            var everyGroup = ReturningCustomersForecast.Of(fit.Model, fit.StandardErrors, customers, weeks, draws: 200, seed: 1, sampledGroups: int.MaxValue);
            output.WriteLine($"{weeks} weeks, {groups} groups: sampled {sampled}, every group {everyGroup}");

            sampled.Expected.Should().Be(everyGroup.Expected, "the expected number is always summed over everyone");
            var width = everyGroup.Upper - everyGroup.Lower;
            sampled.Lower.Should().BeApproximately(everyGroup.Lower, 0.01 * width);
            sampled.Upper.Should().BeApproximately(everyGroup.Upper, 0.01 * width);
        }
    }
}
