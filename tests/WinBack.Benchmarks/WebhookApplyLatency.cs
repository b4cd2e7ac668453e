using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Testing;
using WinBack.Web.Shops;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

namespace WinBack.Benchmarks;

/// <summary>
/// Order webhooks sent at a steady rate to the app with its Hangfire server running: how long from the delivery being
/// recorded until the order and its customer's rollups are written (both happen in the processing transaction).
/// </summary>
public static class WebhookApplyLatency
{
    private const string Shop = "bench-apply.myshopify.com";
    private const int Workers = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = Options.Int(args, "--rate", 1_000);
        var seconds = Options.Int(args, "--seconds", 10);
        var (app, _) = await WinBackApp.StartWithSimulatorAsync("bench_apply", quiet: true, runJobs: true);
        await using var _app = app;

        const int customers = 20_000;
        long shopId;
        await using (var db = app.CreateDbContext())
        {
            var shop = new Shop { Domain = Shop, CurrencyCode = "USD", IanaTimezone = "UTC", InstalledAt = DateTimeOffset.UtcNow };
            db.Shops.Add(shop);
            await db.SaveChangesAsync();
            shopId = shop.Id;
            db.Customers.AddRange(Enumerable.Range(1, customers).Select(i => new Customer
            {
                ShopId = shopId, Id = i, CreatedAt = DateTimeOffset.UtcNow.AddYears(-1), UpdatedAt = DateTimeOffset.UtcNow.AddYears(-1),
            }));
            await db.SaveChangesAsync();
        }

        using var http = new HttpClient { BaseAddress = app.AppUrl };
        var total = rate * seconds;
        var stopwatch = Stopwatch.StartNew();
        var random = new Random(1);
        var senders = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            for (var n = worker; n < total; n += Workers)
            {
                var due = TimeSpan.FromSeconds((double)n / rate);
                if (due > stopwatch.Elapsed) await Task.Delay(due - stopwatch.Elapsed);
                var body = Encoding.UTF8.GetBytes(Order(n + 1, 1 + n % customers));
                using var request = WinBackApp.WebhookRequest("orders/create", Shop, body);
                (await http.SendAsync(request)).EnsureSuccessStatusCode();
            }
        })).ToList();
        await Task.WhenAll(senders);
        var sent = stopwatch.Elapsed;

        async Task<bool> AllProcessed()
        {
            await using var db = app.CreateDbContext();
            return !await db.WebhookReceipts.AnyAsync(r => r.Status == WebhookReceiptStatus.Received);
        }
        if (!await Polling.UntilAsync(AllProcessed, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100)))
            throw new TimeoutException("The webhooks were not all processed within two minutes.");

        await using (var db = app.CreateDbContext())
        {
            var lags = await db.WebhookReceipts.Select(r => (r.ProcessedAt!.Value - r.ReceivedAt).TotalMilliseconds).ToListAsync();
            lags.Sort();
            var counted = await db.Customers.Where(c => c.ShopId == shopId).SumAsync(c => c.OrdersCount);
            Console.WriteLine($"applied: {total:N0} order webhooks sent at {total / sent.TotalSeconds:N0}/s; delivery to updated rollup " +
                              $"p50 {lags[lags.Count / 2]:0} ms, p99 {lags[(int)(lags.Count * 0.99)]:0} ms, max {lags[^1]:0} ms; " +
                              $"orders counted in rollups {counted:N0} of {total:N0}");
            return counted == total ? 0 : 1;
        }
    }

    /// <summary>An orders/create body: a new order of an existing customer, whose own record in it is a year old.</summary>
    internal static string Order(long id, long customer) => JsonSerializer.Serialize(new
    {
        id,
        name = $"#{id}",
        created_at = DateTimeOffset.UtcNow,
        processed_at = DateTimeOffset.UtcNow,
        updated_at = DateTimeOffset.UtcNow,
        cancelled_at = (string?)null,
        test = false,
        current_total_price_set = new { shop_money = new { amount = "25.00", currency_code = "USD" } },
        customer = new { id = customer, updated_at = DateTimeOffset.UtcNow.AddYears(-1) },
    });
}
