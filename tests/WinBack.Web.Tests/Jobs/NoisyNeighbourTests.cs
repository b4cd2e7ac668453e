using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.SheetsSimulator;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;
using WinBack.Web.Tests.Sheets;

namespace WinBack.Web.Tests.Jobs;

/// <summary>With Hangfire's servers running as in production: one shop's pile of work does not hold up another shop's webhooks.</summary>
public sealed class NoisyNeighbourTests : IAsyncLifetime
{
    private const string ServiceAccount = "winback-sync@winback-test.iam.gserviceaccount.com";
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        // Google's quota as one write a minute: every Sheet run after the first must wait for it.
        _google = await SheetsSimulatorHost.StartAsync(o => (o.WriteRequestsPerWindow, o.QuotaWindow) = (1, TimeSpan.FromMinutes(1)));
        var settings = SheetSyncTests.SheetsSettings(_google, _google.Store.CreateServiceAccount(ServiceAccount));
        settings["Sheets:WritesPerWindow"] = "1";
        settings["Sheets:WriteWindow"] = "00:01:00";
        settings["Jobs:RunServer"] = "true";
        _app = await WinBackApp.StartAsync("noisy-neighbour", settings: settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
    }

    [Fact]
    public async Task Twenty_sheet_runs_of_one_shop_waiting_for_googles_quota_do_not_delay_another_shops_webhooks()
    {
        var today = DateTime.UtcNow.Date;
        var noisy = await new ReportShop(_app, "noisy.myshopify.com", "UTC").Customer(1, "Nia", "Noise").Order(1, today.AddDays(-60), 10m).SaveAsync();
        var quiet = await new ReportShop(_app, "quiet.myshopify.com", "UTC").Customer(1, "Quin", "Quiet").Order(1, today.AddDays(-60), 10m).SaveAsync();
        var syncIds = new List<long>();
        await using (var db = _app.CreateDbContext())
        {
            for (var i = 0; i < 20; i++)
            {
                var spreadsheet = _google.Store.CreateSpreadsheet($"Noisy {i}", ServiceAccount);
                var sync = new SheetSync { ShopId = noisy.ShopId, SpreadsheetId = spreadsheet.Id, TabName = "Win-back", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow };
                db.SheetSyncs.Add(sync);
                await db.SaveChangesAsync();
                syncIds.Add(sync.Id);
            }
        }
        var jobs = _app.Services.GetRequiredService<IBackgroundJobClient>();
        foreach (var id in syncIds) jobs.Enqueue<SheetSyncJob>(job => job.RunAsync(noisy.ShopId, id, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(3)); // the runs are picked up and find the quota spent

        var order = JsonSerializer.Serialize(new
        {
            id = 9001, name = "#9001", processed_at = DateTimeOffset.UtcNow, updated_at = DateTimeOffset.UtcNow, test = false,
            current_total_price_set = new { shop_money = new { amount = "12.00", currency_code = "USD" } },
            customer = new { id = 1, first_name = "Quin", last_name = "Quiet", updated_at = "2025-01-01T00:00:00Z" },
        });
        await _app.PostWebhookAsync("orders/create", quiet.Domain, order);

        // Behind the Sheet runs it would wait minutes (Google allows one write a minute); the bound leaves room for a busy machine.
        var applied = false;
        for (var waited = TimeSpan.Zero; !applied && waited < TimeSpan.FromSeconds(45); waited += TimeSpan.FromMilliseconds(200))
        {
            await Task.Delay(200);
            await using var db = _app.CreateDbContext();
            applied = await db.Orders.AnyAsync(o => o.ShopId == quiet.ShopId && o.Id == 9001);
        }
        if (!applied)
        {
            await using var db = _app.CreateDbContext();
            var receipts = await db.WebhookReceipts.AsNoTracking().Where(r => r.ShopDomain == quiet.Domain)
                .Select(r => $"{r.Topic} {r.Status} received {r.ReceivedAt:O}, attempts {r.Attempts}, next {r.NextAttemptAt:O}: {r.Error}").ToListAsync();
            applied.Should().BeTrue($"the quiet shop's order reaches its report within seconds, however much Sheet work the noisy shop queued " +
                $"(its deliveries: {string.Join("; ", receipts)}; Hangfire: {_app.DescribeJobs()})");
        }
    }
}
