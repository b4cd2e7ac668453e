using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Jobs;

/// <summary>With Hangfire's servers running: a job that meets a refused token stops and marks the shop, instead of retrying.</summary>
[Collection(RunsAlone.Name)]
public sealed class ShopifyFailurePolicyTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("failure-policy", quiet: true, runJobs: true);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // Generous: the workers share two cores with the test classes that run before this one.
    private async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(180); waited += TimeSpan.FromMilliseconds(250))
        {
            if (await condition()) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"Waited 180 s for {what}. Hangfire meanwhile: {_app.DescribeJobs()}");
    }

    [Fact]
    public async Task A_job_that_meets_a_refused_token_marks_the_shop_and_is_not_retried()
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop("refusing.myshopify.com", Orders: 5, Seed: 9));
        await WaitUntilAsync(async () =>
        {
            await using var db = _app.CreateDbContext();
            return await db.SyncStates.CountAsync(s => s.ShopId == shopId && s.Status == SyncStatus.Completed) == 2;
        }, "the first sync");
        lock (simulated.Sync) simulated.Installation!.AccessTokens.Clear();

        var jobId = _app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ReconciliationJob>(job => job.RunAsync(shopId, CancellationToken.None));

        var monitoring = _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await WaitUntilAsync(() => Task.FromResult(monitoring.JobDetails(jobId).History.FirstOrDefault()?.StateName is "Deleted" or "Scheduled" or "Failed"),
            "the reconciliation to end");
        var ended = monitoring.JobDetails(jobId).History.First();
        ended.StateName.Should().Be("Deleted", "no retry can succeed before the merchant reconnects ({0})",
            string.Join("; ", ended.Data.Select(d => $"{d.Key}: {d.Value}")));
        await using var check = _app.CreateDbContext();
        (await check.Shops.SingleAsync(s => s.Id == shopId)).NeedsReauthorization.Should().BeTrue();
    }
}
