using Microsoft.EntityFrameworkCore;
using WinBack.Analytics;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Predictions;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// The weekly refit starts each candidate model where the last refit's fit of it ended, a few steps from this week's
/// maximum, and searches from the models' own starts again at least every four weeks. A generated shop (three years of
/// customers drawn from a buy-till-you-die process) is refitted, then again a week later, with the clock moved on.
/// </summary>
public sealed class WeeklyRefitStartTests : IAsyncLifetime
{
    private readonly MovableClock _clock = new();
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => (_app, _) = await WinBackApp.StartWithSimulatorAsync("weekly-refit", _clock);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<CustomerModelFit> RefitAsync(long shopId)
    {
        await _app.RunJobAsync<CustomerPredictionJob>(job => job.RunAsync(shopId, CancellationToken.None));
        await using var db = _app.CreateDbContext();
        return await db.CustomerModelFits.AsNoTracking().SingleAsync(f => f.ShopId == shopId);
    }

    [Fact]
    public async Task A_weekly_refit_starts_where_last_weeks_fits_ended_ends_where_a_fresh_search_ends_and_searches_afresh_every_four_weeks()
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("weekly.myshopify.com", Orders: 6_000, Seed: 21));
        var first = await RefitAsync(shopId);
        first.CandidateStarts!.Select(s => s.Model).Should().BeEquivalentTo(PurchaseModelChoice.Candidates, "both candidates fit this shop at an interior maximum");
        first.StartsSearchedOn.Should().Be(first.DataThrough, "a shop's first refit searches from the models' starts");

        _clock.MoveOn(TimeSpan.FromDays(7));
        var fromLastWeek = await RefitAsync(shopId);
        fromLastWeek.DataThrough.Should().Be(first.DataThrough.AddDays(7));
        fromLastWeek.StartsSearchedOn.Should().Be(first.DataThrough, "the fits started from last week's, which were searched then");
        fromLastWeek.CandidateStarts.Should().HaveCount(2).And.NotBeEquivalentTo(first.CandidateStarts, "every customer is a week older: the maximum moved");

        // The same week searched afresh, as if the shop had no fit to start from.
        await using (var db = _app.CreateDbContext())
            await db.CustomerModelFits.Where(f => f.ShopId == shopId).ExecuteUpdateAsync(s => s.SetProperty(f => f.CandidateStarts, (FitStart[]?)null));
        var searched = await RefitAsync(shopId);
        searched.StartsSearchedOn.Should().Be(searched.DataThrough);
        fromLastWeek.PurchaseModel.Should().Be(searched.PurchaseModel);
        fromLastWeek.LogLikelihood!.Value.Should().BeGreaterThanOrEqualTo(searched.LogLikelihood!.Value - 1e-6 * Math.Abs(searched.LogLikelihood.Value));
        for (var i = 0; i < 4; i++)
            fromLastWeek.PurchaseParameters![i].Should().BeApproximately(searched.PurchaseParameters![i], 0.05 * searched.PurchaseStandardErrors![i], $"parameter {i}");

        // Four weeks after that search, the refit searches afresh; a week before, it still starts from the last fits.
        _clock.MoveOn(TimeSpan.FromDays(CustomerPredictionJob.FreshSearchDays - 7));
        (await RefitAsync(shopId)).StartsSearchedOn.Should().Be(searched.DataThrough);
        _clock.MoveOn(TimeSpan.FromDays(7));
        var month = await RefitAsync(shopId);
        month.StartsSearchedOn.Should().Be(month.DataThrough);
        month.DataThrough.Should().Be(searched.DataThrough.AddDays(CustomerPredictionJob.FreshSearchDays));
    }

    [Theory]
    [InlineData("""{"model": "Pareto/NBD"}""")]
    [InlineData("""[null]""")]
    [InlineData("""[{"model": 3, "logParameters": "no"}]""")]
    [InlineData("""[{"model": "Pareto/NBD"}, {"model": "MBG/NBD", "logParameters": [1, 2], "inverseHessian": [[1]]}]""")]
    public async Task A_stored_start_that_cannot_be_used_is_passed_over_and_the_refit_searches_afresh(string stored)
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("unreadable.myshopify.com", Orders: 2_000, Seed: 22));
        var first = await RefitAsync(shopId);
        await using (var db = _app.CreateDbContext())
            await db.Database.ExecuteSqlAsync($"UPDATE customer_model_fits SET candidate_starts = {stored}::jsonb WHERE shop_id = {shopId}");

        _clock.MoveOn(TimeSpan.FromDays(7));
        var next = await RefitAsync(shopId);

        next.DataThrough.Should().Be(first.DataThrough.AddDays(7));
        next.StartsSearchedOn.Should().Be(next.DataThrough, "no stored start could be used");
        next.PurchaseModel.Should().NotBeNull();
        next.CandidateStarts.Should().NotBeEmpty("the new fits' ends are stored in place of the unusable ones");
    }
}
