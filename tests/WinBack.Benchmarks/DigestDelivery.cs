using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Testing;
using WinBack.Web.Digests;
using WinBack.Web.Sync;

namespace WinBack.Benchmarks;

/// <summary>
/// Weekly digests for many shops (default 1,000, each with 200 customers and 600 orders), composed from the report and
/// delivered to a real SMTP server on loopback (Postfix's smtp-sink), by as many concurrent jobs as Hangfire workers.
/// </summary>
public static class DigestThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var shops = Options.Int(args, "--shops", 1_000);
        var workers = Options.Int(args, "--workers", 10);
        using var smtp = await SmtpSink.StartAsync();
        await using var app = await WinBackApp.StartAsync("bench_digests", smtpPort: smtp.Port,
            settings: new Dictionary<string, string> { ["Serilog:MinimumLevel:Default"] = "Warning" });

        var seed = Stopwatch.StartNew();
        var shopIds = await SeedAsync(app, shops);
        Console.WriteLine($"digests: seeded {shops:N0} shops (200 customers, 600 orders each) in {seed.Elapsed.TotalSeconds:0} s");

        var period = DigestSchedule.PeriodOf(DateOnly.FromDateTime(DateTime.UtcNow));
        var queue = new ConcurrentQueue<long>(shopIds);
        var durations = new ConcurrentBag<double>();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (queue.TryDequeue(out var shopId))
            {
                var started = Stopwatch.GetTimestamp();
                using var scope = app.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<DigestJob>().RunAsync(shopId, period, $"bench-{shopId}", CancellationToken.None);
                durations.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = total.Elapsed;
        var delivered = smtp.Messages().Count;
        var sorted = durations.Order().ToList();
        double P(double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        Console.WriteLine($"digests: {delivered:N0} of {shops:N0} digests composed and delivered in {elapsed.TotalSeconds:0.0} s with {workers} concurrent jobs " +
                          $"({shops / elapsed.TotalSeconds:0} a second); per shop p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, max {sorted[^1]:0} ms");
        return delivered == shops ? 0 : 1;
    }

    private static async Task<List<long>> SeedAsync(WinBackApp app, int shops)
    {
        await using var db = app.CreateDbContext();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            SELECT setseed(0.7);
            INSERT INTO shops (domain, name, currency_code, iana_timezone, scopes, installed_at, needs_reauthorization)
            SELECT 'bench-digest-' || s || '.myshopify.com', 'Bench shop ' || s, 'USD',
                   (ARRAY['America/New_York','Europe/Berlin','Asia/Tokyo','Australia/Sydney'])[1 + s % 4], 'read_customers,read_orders', now(), false
            FROM generate_series(1, {shops}) s;
            INSERT INTO digest_settings (shop_id, enabled, recipients, day, hour, attach_csv, updated_at)
            SELECT id, true, ARRAY['owner@' || split_part(domain, '.', 1) || '.example'], 1, 8, false, now() FROM shops;
            INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
            SELECT s.id, c, 'Customer', 'No' || c, 'c' || c || '@' || split_part(s.domain, '.', 1) || '.example', 'SUBSCRIBED', now() - interval '400 days', now(), 0, 0
            FROM shops s CROSS JOIN generate_series(1, 200) c;
            INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
            SELECT s.id, o, 1 + (o * 7) % 200, '#' || o, now() - random() * interval '365 days', now(), NULL, false, round((5 + random() * 300)::numeric, 2), 'USD'
            FROM shops s CROSS JOIN generate_series(1, 600) o;
            """);
        await db.Database.ExecuteSqlRawAsync("ANALYZE customers");
        await db.Database.ExecuteSqlRawAsync("ANALYZE orders");
        var ids = await db.Shops.Select(s => s.Id).ToListAsync();
        using var scope = app.Services.CreateScope();
        var rollups = scope.ServiceProvider.GetRequiredService<CustomerRollups>();
        foreach (var id in ids) await rollups.RecomputeShopAsync(id, CancellationToken.None);
        return ids;
    }
}
