using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using WinBack.Analytics;
using WinBack.ShopifySimulator.OAuth;
using WinBack.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Benchmarks;

/// <summary>
/// The report API on a large shop (default 1,000,000 customers and about 5,200,000 orders drawn from a buy-till-you-die
/// process, written straight into PostgreSQL, rollups computed by the app's own code): first pages with their total count and next pages under concurrent clients
/// on loopback, then the CSV export of every inactive customer with the process's memory watched.
/// </summary>
public static class ReportLatency
{
    private const string Domain = "bench-report.myshopify.com";

    // What merchants open: the default list, each segment, each window, high value, other sorts, consent, and the
    // predictions' sorts, filters and personal-cycle mode, the at-risk list, and the list of customers without orders
    // (newest sign-up first, its other sorts, consent and the last 90 days of sign-ups).
    private static readonly string[] Views =
    [
        "", "segment=high-value-recent", "segment=high-value-long", "segment=low-value-recent", "segment=low-value-long",
        "window=optimal", "window=stronger", "window=last-chance", "highValue=true", "sort=totalSpent", "sort=name", "sort=email",
        "consent=subscribed", "highValue=true&window=optimal", "minSpent=150&sort=ordersCount",
        "sort=pAlive", "sort=overdue", "sort=predictedValue", "risk=high", "rfm=cant-lose-them,at-risk", "mode=personal",
        "list=at-risk",
        "list=without-orders", "list=without-orders&sort=name", "list=without-orders&sort=email&direction=desc",
        "list=without-orders&consent=subscribed", "list=without-orders&signedUpDays=90",
    ];

    // The predictions' views, each timed alone as well (first request, then warm); the products and outcomes are
    // computed once per data version.
    private static readonly string[] PredictionViews =
    [
        "/api/reports/inactive?mode=personal", "/api/reports/inactive?sort=pAlive", "/api/reports/inactive?sort=overdue",
        "/api/reports/inactive?sort=predictedValue", "/api/reports/inactive?risk=high", "/api/reports/inactive?rfm=cant-lose-them,at-risk",
        "/api/reports/inactive/products", "/api/reports/outcomes",
        "/api/reports/inactive?list=at-risk", "/api/reports/inactive?list=at-risk&sort=pAlive", "/api/reports/rfm",
    ];

    /// <summary>
    /// Marks <paramref name="customers"/> customers with orders, drawn at random, as changed by a transaction of now (as a
    /// webhook's rollups do): the next refit reads their orders, not what the last refit kept of them.
    /// </summary>
    private static async Task MarkChangedAsync(WinBackApp app, int customers)
    {
        await using var db = app.CreateDbContext();
        var shopId = await db.Shops.Where(s => s.Domain == Domain).Select(s => s.Id).SingleAsync();
        var marked = await db.Database.ExecuteSqlAsync($"""
            UPDATE customers SET rollups_changed_xid = pg_current_xact_id()
            WHERE shop_id = {shopId} AND id IN (SELECT id FROM customers WHERE shop_id = {shopId} AND orders_count > 0 ORDER BY random() LIMIT {customers})
            """);
        Console.WriteLine($"report: {marked:N0} customers marked as changed since the last refit");
    }

    /// <summary>How many times autovacuum has vacuumed the customers' table.</summary>
    private static async Task<long> AutovacuumsOfCustomersAsync(WinBackApp app)
    {
        await using var db = app.CreateDbContext();
        return await db.Database.SqlQuery<long>($"""
            SELECT autovacuum_count AS "Value" FROM pg_stat_user_tables WHERE relid = 'customers'::regclass
            """).SingleAsync();
    }

    /// <summary>
    /// How many times autovacuum has vacuumed the customers' table, once no vacuum of it is under way (at most three
    /// minutes): a vacuum of an earlier week's changes that ended after the count would pass for one of the next week's.
    /// </summary>
    private static async Task<long> AutovacuumsOfCustomersWhenIdleAsync(WinBackApp app)
    {
        await Polling.UntilAsync(async () =>
        {
            await using var db = app.CreateDbContext();
            return await db.Database.SqlQuery<bool>($"""
                SELECT NOT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum WHERE datname = current_database() AND relid = 'customers'::regclass) AS "Value"
                """).SingleAsync();
        }, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));
        return await AutovacuumsOfCustomersAsync(app);
    }

    /// <summary>
    /// The week's changes cleared the visibility of most of the customers' pages, which the report's index-only scans need
    /// set. The app's settings bring autovacuum after such a week (AutovacuumSettings), within the server's naptime (a
    /// minute): the load waits for it, as the report runs between a shop's busy spells. The wait is printed; without a
    /// vacuum in three minutes the load runs without one, and says so.
    /// </summary>
    private static async Task AwaitAutovacuumOfCustomersAsync(WinBackApp app, long vacuumsBeforeChanges)
    {
        var waited = Stopwatch.StartNew();
        if (await Polling.UntilAsync(async () => await AutovacuumsOfCustomersAsync(app) != vacuumsBeforeChanges, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1)))
            Console.WriteLine($"report: autovacuum vacuumed the customers after the week's changes ({waited.Elapsed.TotalSeconds:0} s after the last refit)");
        else
            Console.WriteLine("report: autovacuum did not come to the customers after the week's changes in 3 minutes; the load runs without it");
    }

    /// <summary>A refit of every customer's predictions, timed, with this process's memory watched.</summary>
    private static async Task RefitAsync(WinBackApp app, string which)
    {
        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        // The app's own processor time, beside the wall time a shared machine stretches: what the refit's computing cost.
        var processorBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using var sampler = new PeakMemorySampler();
        var started = Stopwatch.StartNew();
        using var scope = app.Services.CreateScope();
        long shopId;
        await using (var db = app.CreateDbContext()) shopId = await db.Shops.Where(s => s.Domain == Domain).Select(s => s.Id).SingleAsync();
        await scope.ServiceProvider.GetRequiredService<WinBack.Web.Predictions.CustomerPredictionJob>().RunAsync(shopId, CancellationToken.None);
        var elapsed = started.Elapsed;
        var processor = Process.GetCurrentProcess().TotalProcessorTime - processorBefore;
        var peak = sampler.Stop();
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        await using var check = app.CreateDbContext();
        var fit = await check.CustomerModelFits.SingleAsync(f => f.ShopId == shopId);
        // As after the seed: the refit's 900,000 fresh rows are vacuumed now, not by autovacuum during the measurement.
        check.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await check.Database.ExecuteSqlRawAsync("VACUUM ANALYZE customer_predictions");
        Console.WriteLine($"report: predictions refitted ({which}) for {fit.Customers:N0} customers ({fit.RepeatCustomers:N0} repeat) in {elapsed.TotalSeconds:0.0} s " +
                          $"(reading and models {fit.Seconds:0.0} s of it, the rest writing; the app's processor time {processor.TotalSeconds:0.0} s); working set {baseline / 1048576.0:0} MiB before, peak {peak / 1048576.0:0} MiB (+{(peak - baseline) / 1048576.0:0} MiB); " +
                          $"managed heap {heapBefore / 1048576.0:0} MiB before, peak {sampler.PeakHeap / 1048576.0:0} MiB, {allocated / 1048576.0:N0} MiB allocated; " +
                          $"{fit.PurchaseModel} r {fit.R:0.###} alpha {fit.Alpha:0.###} a|s {fit.A:0.###} b|beta {fit.B:0.###}; p {fit.P:0.###} q {fit.Q:0.###} gamma {fit.Gamma:0.###}");
    }

    /// <summary>The retention series rebuilt from every order, as after a first sync (twice: cold, then with the orders cached).</summary>
    private static async Task RetentionBackfillAsync(WinBackApp app, long orders)
    {
        long shopId;
        await using (var db = app.CreateDbContext()) shopId = await db.Shops.Where(s => s.Domain == Domain).Select(s => s.Id).SingleAsync();
        var times = new List<double>();
        for (var run = 0; run < 2; run++)
        {
            var started = Stopwatch.StartNew();
            await app.RunJobAsync<RetentionSnapshotJob>(job => job.RebuildAsync(shopId, CancellationToken.None));
            times.Add(started.Elapsed.TotalSeconds);
        }
        await using var check = app.CreateDbContext();
        var weeks = await check.RetentionSnapshots.CountAsync(s => s.ShopId == shopId);
        Console.WriteLine($"report: retention series backfilled from {orders:N0} orders ({weeks:N0} weeks) in {times[0]:0.0} s, again {times[1]:0.0} s");
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var customers = Options.Int(args, "--customers", 1_000_000);
        var seconds = Options.Int(args, "--seconds", 15);
        var concurrency = Options.Int(args, "--concurrency", 16);
        var warmup = Options.Int(args, "--warmup", 10);
        var verbose = args.Contains("--verbose");
        var refits = Options.Int(args, "--refits", 2);

        var clock = new MovableClock();
        var (app, _) = await WinBackApp.StartWithSimulatorAsync("bench_report", clock, quiet: true,
            settings: new Dictionary<string, string>
            {
                ["Serilog:MinimumLevel:Override:WinBack.Web.Predictions"] = "Information",
                ["Serilog:MinimumLevel:Override:WinBack.Web.Outcomes"] = "Information",
            });
        await using var _app = app;
        var load = Stopwatch.StartNew();
        var orders = await SeedAsync(app, customers);
        Console.WriteLine($"report: seeded {customers:N0} customers and {orders:N0} orders (rollups by the app) in {load.Elapsed.TotalSeconds:0} s");
        await RetentionBackfillAsync(app, orders);
        // --backfill-only stops after the retention series (its figure alone, without the load that follows).
        if (args.Contains("--backfill-only")) return 0;
        // --skip-refit measures the report without predictions (an A/B of what the prediction join costs). The first
        // refit is a shop's first (after its first sync); the next ones are the weekly refit, which replaces the scores,
        // each a week on: every customer is a week older, so the fit's maximum has moved, as it has in a real week (no
        // orders are added: a week without any moves it further than a real week's few).
        // A week's customers who ordered (the orders of three years spread over 156 weeks, each a different customer: more
        // than a real week's) are marked changed before each weekly refit, which reads their orders again.
        var changedPerWeek = Options.Int(args, "--changed-per-week", (int)(orders / 156));
        long? vacuumsBeforeChanges = null;
        if (!args.Contains("--skip-refit"))
            for (var refit = 0; refit < refits; refit++)
            {
                if (refit > 0)
                {
                    clock.MoveOn(TimeSpan.FromDays(7));
                    vacuumsBeforeChanges = await AutovacuumsOfCustomersWhenIdleAsync(app);
                    await MarkChangedAsync(app, changedPerWeek);
                }
                await RefitAsync(app, refit == 0 ? "first" : "weekly");
            }
        // --refit-only stops after the refits (their figures alone, without the load that follows).
        if (args.Contains("--refit-only"))
        {
            Hold(app, args);
            return 0;
        }
        if (vacuumsBeforeChanges is { } vacuums) await AwaitAutovacuumOfCustomersAsync(app, vacuums);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.AppUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            SessionTokens.Mint(Domain, WinBackApp.ApiKey, WinBackApp.ApiSecret, clock.GetUtcNow(), TimeSpan.FromHours(2)));

        var cold = new List<double>();
        foreach (var view in Views) cold.Add(await TimeAsync(http, $"/api/reports/inactive?{view}"));
        var coldSummary = await TimeAsync(http, "/api/reports/inactive/summary");
        Console.WriteLine($"report: cold first page with count (first request of each of {Views.Length} views after a data change): " +
                          $"median {Median(cold):0} ms, max {cold.Max():0} ms; summary {coldSummary:0} ms");

        var single = new List<double>();
        foreach (var view in Views)
        {
            var times = new List<double>();
            for (var i = 0; i < 20; i++) times.Add(await TimeAsync(http, $"/api/reports/inactive?{view}"));
            single.AddRange(times);
            if (!verbose) continue;
            var next = new List<double>();
            var page = (await http.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{view}"))!;
            for (var n = 0; n < 10 && page.NextCursor is { } cursor; n++)
            {
                var started = Stopwatch.GetTimestamp();
                page = (await http.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{view}&after={Uri.EscapeDataString(cursor)}"))!;
                next.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            Console.WriteLine($"report:   {(view.Length == 0 ? "(default)" : view)}: first page median {Median(times):0.0} ms, next pages median {(next.Count == 0 ? double.NaN : Median(next)):0.0} ms alone");
        }
        var healthz = new List<double>();
        for (var i = 0; i < 100; i++) healthz.Add(await TimeAsync(http, "/healthz"));
        if (verbose)
        {
            foreach (var path in new[] { "/api/session", "/api/reports/context", "/api/reports/inactive/summary", "/api/views", "/api/reports/inactive?pageSize=25", "/api/reports/inactive?pageSize=250", "/api/reports/without-orders" })
            {
                var times = new List<double>();
                for (var i = 0; i < 50; i++) times.Add(await TimeAsync(http, path));
                Console.WriteLine($"report:   {path}: median {Median(times):0.00} ms alone");
            }
        }
        Console.WriteLine($"report: one client alone, first page with count (warm): median {Median(single):0.0} ms (an unauthenticated /healthz: {Median(healthz):0.0} ms)");
        foreach (var view in PredictionViews)
        {
            var first = await TimeAsync(http, view);
            var times = new List<double>();
            for (var i = 0; i < 10; i++) times.Add(await TimeAsync(http, view));
            Console.WriteLine($"report:   {view}: first {first:0} ms, then median {Median(times):0.0} ms alone");
        }

        async Task<IReadOnlyList<Timing>> FirstPage(int worker, int i)
        {
            var view = Views[(worker + i) % Views.Length];
            return [new Timing(view, await TimeAsync(http, $"/api/reports/inactive?{view}"))];
        }
        async Task<IReadOnlyList<Timing>> NextPages(int worker, int i)
        {
            var view = Views[(worker + i) % Views.Length];
            var page = (await http.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{view}"))!;
            var timings = new List<Timing>();
            for (var n = 0; n < 10 && page.NextCursor is { } cursor; n++)
            {
                var started = Stopwatch.GetTimestamp();
                page = (await http.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{view}&after={Uri.EscapeDataString(cursor)}"))!;
                timings.Add(new Timing(view, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
            return timings;
        }

        // Warm-up, not measured: tiered JIT, and every pooled connection preparing the report's statements.
        await LoadAsync(concurrency, TimeSpan.FromSeconds(warmup), FirstPage);
        await LoadAsync(concurrency, TimeSpan.FromSeconds(warmup), NextPages);

        Report("first page with total count", await LoadAsync(concurrency, TimeSpan.FromSeconds(seconds), FirstPage), concurrency, verbose);
        Report("next pages (2 to 11)", await LoadAsync(concurrency, TimeSpan.FromSeconds(seconds), NextPages), concurrency, verbose);

        if (args.Contains("--wrk"))
        {
            // The load from wrk, a separate C process, so the clients' own CPU is not the .NET HttpClient's.
            var firstPages = Views.Select(v => $"/api/reports/inactive?{v}").ToList();
            var nextPages = new List<string>();
            foreach (var view in Views)
            {
                var page = (await http.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{view}"))!;
                for (var n = 0; n < 10 && page.NextCursor is { } cursor; n++)
                {
                    var path = $"/api/reports/inactive?{view}&after={Uri.EscapeDataString(cursor)}";
                    nextPages.Add(path);
                    page = (await http.GetFromJsonAsync<InactiveCustomersPage>(path))!;
                }
            }
            var token = http.DefaultRequestHeaders.Authorization!.Parameter!;
            Console.WriteLine(Wrk.Run("first page with total count", app.AppUrl, token, firstPages, concurrency, seconds));
            Console.WriteLine(Wrk.Run("next pages (2 to 11)", app.AppUrl, token, nextPages, concurrency, seconds));
            Console.WriteLine(Wrk.Run("summary", app.AppUrl, token, ["/api/reports/inactive/summary"], concurrency, seconds));
        }

        var summary = await LoadAsync(concurrency, TimeSpan.FromSeconds(Math.Max(3, seconds / 3)), async (_, _) => [new Timing("summary", await TimeAsync(http, "/api/reports/inactive/summary"))]);
        Report("summary", summary, concurrency, verbose: false);

        await ExportAsync(http);
        Hold(app, args);
        return 0;
    }

    /// <summary>With --hold, the seeded shop and its database stay up for EXPLAIN by hand until Enter (or the end of standard input).</summary>
    private static void Hold(WinBackApp app, string[] args)
    {
        if (!args.Contains("--hold")) return;
        Console.WriteLine($"report: holding; the database is {app.ConnectionString}");
        Console.ReadLine();
    }

    private static async Task ExportAsync(HttpClient http)
    {
        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        using var sampler = new PeakMemorySampler();
        var started = Stopwatch.StartNew();
        var link = (await (await http.PostAsync("/api/reports/inactive/export", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        using var response = await http.GetAsync(link.Url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        var elapsed = started.Elapsed;
        var peak = sampler.Stop();
        Console.WriteLine($"report: CSV export of {lines - 1:N0} inactive customers ({bytes / 1048576.0:0} MiB) in {elapsed.TotalSeconds:0.0} s; " +
                          $"process working set {baseline / 1048576.0:0} MiB before, peak {peak / 1048576.0:0} MiB (+{(peak - baseline) / 1048576.0:0} MiB)");
    }

    private static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path);
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>One request's latency under load, with the view it asked for.</summary>
    private readonly record struct Timing(string View, double Milliseconds);

    private static async Task<List<Timing>> LoadAsync(int concurrency, TimeSpan duration, Func<int, int, Task<IReadOnlyList<Timing>>> request)
    {
        var results = new List<Timing>[concurrency];
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = results[worker] = [];
            for (var i = 0; stopwatch.Elapsed < duration; i++) mine.AddRange(await request(worker, i));
        }));
        return results.SelectMany(r => r).ToList();
    }

    /// <summary>The latencies of a load phase over every view, and with --verbose each view's own under the same load.</summary>
    private static void Report(string what, List<Timing> timings, int concurrency, bool verbose)
    {
        var latencies = timings.Select(t => t.Milliseconds).Order().ToList();
        double P(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        Console.WriteLine($"report: {what}, {concurrency} concurrent clients: {latencies.Count:N0} requests; " +
                          $"p50 {P(latencies, 0.50):0.0} ms, p95 {P(latencies, 0.95):0.0} ms, p99 {P(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms");
        if (!verbose) return;
        var views = timings.GroupBy(t => t.View, t => t.Milliseconds).Select(g => (View: g.Key, Sorted: g.Order().ToList()));
        foreach (var (view, sorted) in views.OrderByDescending(v => P(v.Sorted, 0.95)))
            Console.WriteLine($"report:   {(view.Length == 0 ? "(default)" : view)} under that load: {sorted.Count:N0} requests; " +
                              $"p50 {P(sorted, 0.50):0.0} ms, p95 {P(sorted, 0.95):0.0} ms");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>
    /// How the benchmark shop's customers buy: a buy-till-you-die process (rates differ widely, and customers stop for good
    /// after some order), frequent enough that 900,000 buyers place about 5.2 million orders over three years.
    /// </summary>
    private static readonly BuyTillYouDie Buying = new(R: 0.5, Alpha: 2.5, A: 0.8, B: 3.2);

    /// <summary>
    /// A deterministic large shop: 90 % of customers have orders, first bought at a uniform moment of the last three years
    /// and came back as <see cref="Buying"/> draws; 3 % of orders cancelled, 1 % test; each customer spends around their own
    /// typical order value. Returns the number of orders written.
    /// </summary>
    private static async Task<long> SeedAsync(WinBackApp app, int customers)
    {
        long shopId;
        long orders = 0;
        await using (var db = app.CreateDbContext())
        {
            var shop = new Shop { Domain = Domain, Name = "Bench report", CurrencyCode = "USD", IanaTimezone = "America/New_York", InstalledAt = DateTimeOffset.UtcNow };
            db.Shops.Add(shop);
            await db.SaveChangesAsync();
            shopId = shop.Id;
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
                SELECT {shopId}, i,
                       (ARRAY['Ann','Ben','Chloé','Dan','Eve','Farah','Gus','Hana','Ines','Jon','Kofi','Lena','Mia','Olu','Priya','Quinn','Rosa','Sven','Uma','Yuki'])[1 + i % 20],
                       (ARRAY['Adams','Berg','Costa','Diaz','Eriksen','Fox','García','Huang','Iyer','Jones','Kim','López','Müller','Nakamura','Patel','Rossi','Smith','Tanaka','Weber','Zhou'])[1 + (i / 20) % 20],
                       'customer' || i || '@example.com',
                       CASE WHEN i % 3 = 0 THEN 'SUBSCRIBED' ELSE 'NOT_SUBSCRIBED' END,
                       now() - (i % 1500) * interval '1 day', now(), 0, 0
                FROM generate_series(1, {customers}) i;
                """);

            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code) FROM STDIN (FORMAT BINARY)");
            var random = new Random(42);
            var now = DateTimeOffset.UtcNow;
            var repeats = new List<double>();
            for (long customer = 1; customer <= (long)(customers * 0.9); customer++)
            {
                var ageWeeks = 3 * 365 / 7.0 * random.NextDouble();
                var firstAt = now - TimeSpan.FromDays(ageWeeks * 7);
                var typicalValue = 10 + RandomDraws.Gamma(random, 2) * 30;
                Buying.DrawRepeatPurchases(random, ageWeeks, repeats);
                foreach (var weeks in repeats.Prepend(0))
                {
                    var at = firstAt + TimeSpan.FromDays(weeks * 7);
                    orders++;
                    await copy.StartRowAsync();
                    await copy.WriteAsync(shopId, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(orders, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(customer, NpgsqlDbType.Bigint);
                    await copy.WriteAsync("#" + orders, NpgsqlDbType.Text);
                    await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                    if (random.NextDouble() < 0.03) await copy.WriteAsync(at.AddDays(1), NpgsqlDbType.TimestampTz);
                    else await copy.WriteNullAsync();
                    await copy.WriteAsync(random.NextDouble() < 0.01, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(decimal.Round((decimal)(typicalValue * (0.5 + random.NextDouble())), 2), NpgsqlDbType.Numeric);
                    await copy.WriteAsync("USD", NpgsqlDbType.Text);
                }
            }
            await copy.CompleteAsync();
        }
        using var scope = app.Services.CreateScope();
        var db2 = scope.ServiceProvider.GetRequiredService<WinBack.Web.Data.WinBackDbContext>();
        db2.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        // As after a bulk import: statistics first, or the rollup is planned for empty tables.
        await db2.Database.ExecuteSqlRawAsync("ANALYZE customers; ANALYZE orders;");
        await scope.ServiceProvider.GetRequiredService<CustomerRollups>().RecomputeShopAsync(shopId, CancellationToken.None);
        // And vacuumed, so autovacuum of five million fresh rows does not run during the measurement.
        await db2.Database.ExecuteSqlRawAsync("VACUUM ANALYZE customers");
        await db2.Database.ExecuteSqlRawAsync("VACUUM ANALYZE orders");
        return orders;
    }
}
