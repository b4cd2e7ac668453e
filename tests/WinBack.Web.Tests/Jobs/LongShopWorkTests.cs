using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Digests;
using WinBack.Web.Predictions;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Jobs;

/// <summary>
/// With Hangfire's servers running as in production: a shop's long work (a refit that waits for its scores to be free,
/// a first sync that waits for Shopify's export) holds a worker for minutes. However many shops' such work is under way,
/// another shop's email goes out on time.
/// </summary>
public sealed class LongShopWorkTests : IAsyncLifetime
{
    private SmtpSink _smtp = null!;
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _app = await WinBackApp.StartAsync("long-shop-work", smtpPort: _smtp.Port, settings: new Dictionary<string, string> { ["Jobs:RunServer"] = "true" });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _smtp.Dispose();
    }

    [Fact]
    public async Task Refits_of_more_shops_than_there_are_workers_waiting_on_long_reads_do_not_delay_another_shops_digest()
    {
        var today = DateTime.UtcNow.Date;
        // One shop more than Hangfire's workers for the general queues, each with scores already (a first refit).
        var refitted = new List<ReportShop>();
        for (var i = 0; i < new BackgroundJobServerOptions().WorkerCount + 1; i++)
        {
            var shop = new ReportShop(_app, $"busy-{i}.myshopify.com", "UTC");
            for (var id = 1; id <= 6; id++) shop.Customer(id, $"Busy{id}", "Buyer").Order(id, today.AddDays(-90 + id), 20m).Order(id, today.AddDays(-40 - id), 30m);
            refitted.Add(await shop.SaveAsync());
            using var scope = _app.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<CustomerPredictionJob>().RunAsync(shop.ShopId, CancellationToken.None);
        }
        var digestShop = await new ReportShop(_app, "on-time.myshopify.com", "UTC").Customer(1, "Olive", "Ontime").Order(1, today.AddDays(-60), 10m).SaveAsync();
        await using (var db = _app.CreateDbContext())
        {
            db.DigestSettings.Add(new DigestSettings { ShopId = digestShop.ShopId, Enabled = true, Recipients = ["owner@on-time.example"], Day = today.DayOfWeek, Hour = 0 });
            await db.SaveChangesAsync();
        }

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

        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().RunAsync(CancellationToken.None);
        var sent = false;
        for (var waited = TimeSpan.Zero; !sent && waited < TimeSpan.FromSeconds(30); waited += TimeSpan.FromMilliseconds(200))
        {
            await Task.Delay(200);
            sent = _smtp.Messages().Any(m => m.EnvelopeRecipients.Contains("owner@on-time.example"));
        }
        sent.Should().BeTrue($"the digest goes out within seconds, whatever other shops' refits wait for (Hangfire: {_app.DescribeJobs()})");

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
}
