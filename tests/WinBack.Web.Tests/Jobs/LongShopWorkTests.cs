using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Digests;
using WinBack.Web.Predictions;
using WinBack.Web.ShopifyTags;
using WinBack.Web.Sync;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Jobs;

/// <summary>
/// With Hangfire's servers running as in production: a shop's long work (a refit that waits for its scores to be free,
/// a reconciliation or a tagging run that waits for the shop's Shopify cost bucket) holds a worker for minutes. However many shops' such
/// work is under way, another shop's email goes out on time, and a slow shop holds one worker, not more.
/// </summary>
public sealed class LongShopWorkTests : IAsyncLifetime
{
    private const string DigestRecipient = "owner@on-time.example";
    private SmtpSink _smtp = null!;
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    /// <summary>One shop more than Hangfire's workers for the general queues.</summary>
    private static readonly int MoreThanTheGeneralWorkers = new BackgroundJobServerOptions().WorkerCount + 1;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("long-shop-work", runJobs: true,
            settings: new Dictionary<string, string> { ["Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _simulator.DisposeAsync();
        _smtp.Dispose();
    }

    [Fact]
    public async Task Refits_of_more_shops_than_there_are_workers_waiting_on_long_reads_do_not_delay_another_shops_digest()
    {
        var today = DateTime.UtcNow.Date;
        var refitted = new List<ReportShop>();
        for (var i = 0; i < MoreThanTheGeneralWorkers; i++)
        {
            var shop = new ReportShop(_app, $"busy-{i}.myshopify.com", "UTC");
            for (var id = 1; id <= 6; id++) shop.Customer(id, $"Busy{id}", "Buyer").Order(id, today.AddDays(-90 + id), 20m).Order(id, today.AddDays(-40 - id), 30m);
            refitted.Add(await shop.SaveAsync());
            using var scope = _app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shop.ShopId, CancellationToken.None);
        }
        await DigestShopAsync();

        // Each busy shop's scores are being read at length (an export, a Sheet run): their refits wait to swap in.
        await using var reads = _app.CreateDbContext();
        await using var reading = await reads.Database.BeginTransactionAsync();
        foreach (var shop in refitted)
        {
            var lockTable = $"LOCK TABLE {CustomerPredictionPartitions.NameOf(shop.ShopId)} IN ACCESS SHARE MODE";
            await reads.Database.ExecuteSqlRawAsync(lockTable);
        }
        var jobs = _app.Services.GetRequiredService<IBackgroundJobClient>();
        var queued = DateTimeOffset.UtcNow;
        foreach (var shop in refitted) jobs.Enqueue<CustomerPredictionJob>(job => job.RunAsync(shop.ShopId, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the refits are picked up and wait

        await TheDigestGoesOutAsync("whatever other shops' refits wait for");

        // Once the reads end, every shop's refit is done: waiting held them up, it did not drop them. (A refit's fit is
        // written when it swaps its scores in; its time is when it began computing, after the refits were queued.)
        await reading.RollbackAsync();
        var ids = refitted.Select(s => s.ShopId).ToList();
        var done = 0;
        for (var waited = TimeSpan.Zero; done < ids.Count && waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(250))
        {
            await Task.Delay(250);
            await using var db = _app.CreateDbContext();
            done = await db.CustomerModelFits.CountAsync(f => ids.Contains(f.ShopId) && f.FittedAt > queued);
        }
        done.Should().Be(ids.Count, $"every busy shop's refit ran once its scores were free (Hangfire: {_app.DescribeJobs()})");
    }

    [Theory]
    [InlineData("reconciliations")]
    [InlineData("tagging runs")]
    public async Task Shopify_work_of_more_shops_than_there_are_workers_waiting_on_their_buckets_does_not_delay_another_shops_digest(string work)
    {
        var slow = new List<long>();
        // Tagging needs the optional scope that lets WinBack edit customers.
        IReadOnlyList<string> scopes = work == "reconciliations" ? ShopLifecycle.DefaultScopes : [.. ShopLifecycle.DefaultScopes, .. ShopLifecycle.OptionalScopes];
        for (var i = 0; i < MoreThanTheGeneralWorkers; i++) slow.Add(await SyncedShopWithAnEmptyBucketAsync($"slow-{i}.myshopify.com", seed: i + 1, scopes));
        await DigestShopAsync();

        var jobs = _app.Services.GetRequiredService<IBackgroundJobClient>();
        foreach (var shopId in slow)
        {
            if (work == "reconciliations")
            {
                jobs.Enqueue<ReconciliationJob>(job => job.RunAsync(shopId, CancellationToken.None));
                continue;
            }
            await using (var db = _app.CreateDbContext())
            {
                db.ShopifyTaggings.Add(new ShopifyTagging { ShopId = shopId, Enabled = true });
                await db.SaveChangesAsync();
            }
            jobs.Enqueue<CustomerTagJob>(job => job.RunAsync(shopId, CancellationToken.None));
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // the runs are picked up and wait for their buckets

        await TheDigestGoesOutAsync($"whatever other shops' {work} wait for");
    }

    [Fact]
    public async Task A_shop_whose_reconciliation_waits_on_shopify_holds_one_worker_however_often_it_is_queued()
    {
        var shopId = await SyncedShopWithAnEmptyBucketAsync("slow.myshopify.com", seed: 5);
        var jobs = _app.Services.GetRequiredService<IBackgroundJobClient>();
        for (var hour = 0; hour < 3; hour++) jobs.Enqueue<ReconciliationJob>(job => job.RunAsync(shopId, CancellationToken.None));

        var monitoring = _app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        int Waiting() => monitoring.ProcessingJobs(0, 100).Count(j => j.Value.Job?.Type == typeof(ReconciliationJob));
        int Done() => monitoring.SucceededJobs(0, 100).Count(j => j.Value.Job?.Type == typeof(ReconciliationJob));
        for (var waited = TimeSpan.Zero; Done() < 2 && waited < TimeSpan.FromSeconds(20); waited += TimeSpan.FromMilliseconds(200)) await Task.Delay(200);
        Done().Should().Be(2, $"the two runs queued behind the first stand down (Hangfire: {_app.DescribeJobs()})");
        Waiting().Should().Be(1, "the first still waits for the shop's bucket");
    }

    /// <summary>A shop installed and synced, whose Shopify cost bucket is then empty and refills a point a second: every
    /// query waits minutes for it.</summary>
    private async Task<long> SyncedShopWithAnEmptyBucketAsync(string domain, int seed, IReadOnlyList<string>? scopes = null)
    {
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop(domain, Orders: 20, Seed: seed, Scopes: scopes));
        await _app.RunSyncAsync(shopId);
        // The install also queued the sync in Hangfire, which may be the run that does it: wait for it to end.
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(100))
        {
            await using var db = _app.CreateDbContext();
            if (await db.SyncStates.CountAsync(s => s.ShopId == shopId && s.Status == SyncStatus.Completed) == 2) break;
            await Task.Delay(100);
        }
        lock (simulated.Sync)
        {
            simulated.Bucket.RestoreRate = 1;
            simulated.Bucket.Drain(0, DateTimeOffset.UtcNow);
        }
        return shopId;
    }

    /// <summary>A shop whose weekly digest is due now.</summary>
    private async Task DigestShopAsync()
    {
        var shop = await new ReportShop(_app, "on-time.myshopify.com", "UTC").Customer(1, "Olive", "Ontime").Order(1, DateTime.UtcNow.Date.AddDays(-60), 10m).SaveAsync();
        await using var db = _app.CreateDbContext();
        db.DigestSettings.Add(new DigestSettings { ShopId = shop.ShopId, Enabled = true, Recipients = [DigestRecipient], Day = DateTime.UtcNow.DayOfWeek, Hour = 0 });
        await db.SaveChangesAsync();
    }

    private async Task TheDigestGoesOutAsync(string because)
    {
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().RunAsync(CancellationToken.None);
        // Polled on the delivery's record (written once the mail server accepted the message), not on the mail server's
        // files, which may be read half written.
        var sent = false;
        for (var waited = TimeSpan.Zero; !sent && waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(200))
        {
            await Task.Delay(200);
            await using var db = _app.CreateDbContext();
            sent = await db.DigestDeliveries.AnyAsync(d => d.Kind == DigestDelivery.WeeklyDigest && d.Status == DeliveryStatus.Sent);
        }
        sent.Should().BeTrue($"the digest goes out within seconds, {because} (Hangfire: {_app.DescribeJobs()})");
        _smtp.Messages().Should().ContainSingle(m => m.EnvelopeRecipients.Contains(DigestRecipient));
    }
}
