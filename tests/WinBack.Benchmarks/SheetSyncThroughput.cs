using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.SheetsSimulator;
using WinBack.Testing;
using WinBack.Web.Sheets;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Benchmarks;

/// <summary>
/// One Sheet sync of a large list (default 100,000 inactive customers) into the simulated Google on loopback, with
/// Google's own quotas (60 writes a minute): time, requests used, and the app's memory.
/// </summary>
public static class SheetSyncThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var customers = Options.Int(args, "--rows", 100_000);
        await using var google = await SheetsSimulatorHost.StartAsync();
        const string account = "winback-bench@winback.iam.gserviceaccount.com";
        var key = google.Store.CreateServiceAccount(account);
        await using var app = await WinBackApp.StartAsync("bench_sheets", settings: new Dictionary<string, string>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Sheets:BaseUrl"] = google.BaseUrl.ToString(),
            ["Sheets:TokenUrl"] = google.TokenUrl.ToString(),
            ["Sheets:ServiceAccountEmail"] = account,
            ["Sheets:ServiceAccountPrivateKey"] = key,
        });

        long shopId;
        await using (var db = app.CreateDbContext())
        {
            var shop = new Shop { Domain = "bench-sheets.myshopify.com", Name = "Bench sheets", CurrencyCode = "USD", IanaTimezone = "Europe/Berlin", InstalledAt = DateTimeOffset.UtcNow };
            db.Shops.Add(shop);
            await db.SaveChangesAsync();
            shopId = shop.Id;
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
                SELECT {shopId}, i, 'First' || i, 'Last' || i, 'customer' || i || '@example.com', 'SUBSCRIBED', now() - interval '800 days', now(), 0, 0
                FROM generate_series(1, {customers}) i;
                INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
                SELECT {shopId}, i, i, '#' || i, now() - (35 + i % 700) * interval '1 day', now(), NULL, false, 10 + i % 500, 'USD'
                FROM generate_series(1, {customers}) i;
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE customers");
            await db.Database.ExecuteSqlRawAsync("ANALYZE orders");
        }
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<CustomerRollups>().RecomputeShopAsync(shopId, CancellationToken.None);

        var spreadsheet = google.Store.CreateSpreadsheet("Bench", account);
        long syncId;
        await using (var db = app.CreateDbContext())
        {
            var sync = new SheetSync { ShopId = shopId, SpreadsheetId = spreadsheet.Id, TabName = "Inactive customers", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow };
            db.SheetSyncs.Add(sync);
            await db.SaveChangesAsync();
            syncId = sync.Id;
        }

        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        using var sampler = new PeakMemorySampler();
        var started = Stopwatch.StartNew();
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SheetSyncJob>().RunAsync(shopId, syncId, CancellationToken.None);
        var elapsed = started.Elapsed;
        var peak = sampler.Stop();

        await using var check = app.CreateDbContext();
        var result = await check.SheetSyncs.AsNoTracking().SingleAsync(s => s.Id == syncId);
        var tab = spreadsheet.Tabs.Single(t => t.Title == "Inactive customers");
        Console.WriteLine($"sheets: {result.RowsWritten:N0} rows ({tab.Cells.Count:N0} cells) synced in {elapsed.TotalSeconds:0.0} s with {google.Store.WriteRequests} write and " +
                          $"{google.Store.ReadRequests} read requests, {google.Store.QuotaRejections} refused by the quota; " +
                          $"process working set {baseline / 1048576.0:0} MiB before, peak {peak / 1048576.0:0} MiB (simulator included); error: {result.LastError ?? "none"}");
        return result.LastError is null && result.RowsWritten == customers ? 0 : 1;
    }
}
