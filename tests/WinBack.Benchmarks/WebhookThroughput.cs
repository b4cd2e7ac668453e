using System.Diagnostics;
using System.Text;
using WinBack.Shopify;
using WinBack.Testing;

namespace WinBack.Benchmarks;

/// <summary>
/// Signed webhook deliveries per second that WinBack accepts (HMAC check, receipt insert, Hangfire enqueue, 200), and
/// their latency, from concurrent clients on loopback against the real app on Kestrel and a real PostgreSQL.
/// </summary>
public static class WebhookThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Options.Int(args, "--seconds", 15);
        var concurrency = Options.Int(args, "--concurrency", 32);
        var (app, simulator) = await WinBackApp.StartWithSimulatorAsync("bench_webhooks", quiet: true);
        await using var _ = app;

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.AppUrl };
        var body = Encoding.UTF8.GetBytes(SampleOrder);
        var signature = ShopifyHmac.SignWebhook(WinBackApp.ApiSecret, body);

        await LoadAsync(http, body, signature, concurrency, TimeSpan.FromSeconds(3));
        var (count, failures, latencies, elapsed) = await LoadAsync(http, body, signature, concurrency, TimeSpan.FromSeconds(seconds));

        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        Console.WriteLine($"webhooks: {count / elapsed.TotalSeconds:N0} accepted/s over {elapsed.TotalSeconds:0} s with {concurrency} concurrent senders; " +
                          $"latency p50 {Percentile(0.50):0.0} ms, p99 {Percentile(0.99):0.0} ms, max {latencies[^1]:0.0} ms; {failures} failed");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<(int Count, int Failures, List<double> LatenciesMs, TimeSpan Elapsed)> LoadAsync(
        HttpClient http, byte[] body, string signature, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (stopwatch.Elapsed < duration)
            {
                using var request = WinBackApp.WebhookRequest("orders/create", "bench.myshopify.com", body, signature: signature);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
            }
        }));
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count, failures, all, stopwatch.Elapsed);
    }

    // The size and shape of a typical orders/create body (about 1.5 KB).
    private const string SampleOrder = """
        {"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","name":"#9999","email":"jon@example.com",
         "created_at":"2026-11-01T10:00:00-05:00","processed_at":"2026-11-01T10:00:00-05:00","updated_at":"2026-11-01T10:00:00-05:00",
         "cancelled_at":null,"cancel_reason":null,"closed_at":null,"test":false,"currency":"USD","presentment_currency":"USD",
         "financial_status":"paid","total_price":"404.95","current_total_price":"404.95",
         "total_price_set":{"shop_money":{"amount":"404.95","currency_code":"USD"},"presentment_money":{"amount":"404.95","currency_code":"USD"}},
         "current_total_price_set":{"shop_money":{"amount":"404.95","currency_code":"USD"},"presentment_money":{"amount":"404.95","currency_code":"USD"}},
         "customer":{"id":115310627314723954,"email":"jon@example.com","first_name":"Jon","last_name":"Snow","created_at":"2026-01-01T10:00:00-05:00",
                     "updated_at":"2026-11-01T10:00:00-05:00","admin_graphql_api_id":"gid://shopify/Customer/115310627314723954"},
         "line_items":[{"id":866550311766439020,"admin_graphql_api_id":"gid://shopify/LineItem/866550311766439020","product_id":632910392,
                        "title":"IPod Nano - 8GB","name":"IPod Nano - 8GB - Pink","quantity":1,"price":"199.00",
                        "price_set":{"shop_money":{"amount":"199.00","currency_code":"USD"},"presentment_money":{"amount":"199.00","currency_code":"USD"}}},
                       {"id":141249953214522974,"admin_graphql_api_id":"gid://shopify/LineItem/141249953214522974","product_id":632910393,
                        "title":"IPod Nano - 8GB","name":"IPod Nano - 8GB - Black","quantity":1,"price":"205.95",
                        "price_set":{"shop_money":{"amount":"205.95","currency_code":"USD"},"presentment_money":{"amount":"205.95","currency_code":"USD"}}}],
         "refunds":[]}
        """;
}
