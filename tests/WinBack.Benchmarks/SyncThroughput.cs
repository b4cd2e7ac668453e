using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WinBack.ShopifySimulator;
using WinBack.Testing;
using WinBack.Web.Sync;

namespace WinBack.Benchmarks;

/// <summary>
/// The first sync of a generated shop, end to end: the simulator (in its own process, so its memory is not counted)
/// exports customers and orders as bulk JSONL; WinBack downloads, parses, COPYs, merges and rolls up. Then, on the same
/// server, PostgreSQL's own COPY of the same order rows into a table with the same keys, for the ratio.
/// </summary>
public static class SyncThroughput
{
    private const string Shop = "bench-sync.myshopify.com";

    public static async Task<int> RunAsync(string[] args)
    {
        var orders = Options.Int(args, "--orders", 1_000_000);
        var simulatorPort = PostgresServer.FreePort();
        var simulatorUrl = new Uri($"http://127.0.0.1:{simulatorPort}/");
        var appPort = PostgresServer.FreePort();

        using var simulator = StartSimulator(simulatorPort, appPort, orders);
        try
        {
            return await MeasureAsync(simulatorUrl, appPort, verbose: args.Contains("--verbose"));
        }
        finally
        {
            simulator.Kill(entireProcessTree: true);
        }
    }

    private static async Task<int> MeasureAsync(Uri simulatorUrl, int appPort, bool verbose)
    {
        await WaitUntilReadyAsync(simulatorUrl);
        await using var app = await WinBackApp.StartWithExternalSimulatorAsync("bench_sync", appPort, simulatorUrl, quiet: !verbose);

        (await WinBackApp.OpenFromAdminAsync(simulatorUrl, Shop)).EnsureSuccessStatusCode();
        long shopId;
        await using (var db = app.CreateDbContext()) shopId = (await db.Shops.SingleAsync()).Id;

        GC.Collect();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        using var sampler = new PeakMemorySampler();
        var stopwatch = Stopwatch.StartNew();
        using (var scope = app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<InitialSyncJob>().RunAsync(shopId, CancellationToken.None);
        stopwatch.Stop();
        var peak = sampler.Stop();

        long syncedOrders, syncedCustomers;
        await using (var db = app.CreateDbContext())
        {
            syncedOrders = await db.Orders.CountAsync(o => o.ShopId == shopId);
            syncedCustomers = await db.Customers.CountAsync(c => c.ShopId == shopId);
        }
        var rawCopy = await RawCopyAsync(app.ConnectionString, shopId);
        var export = await ExportDurationAsync(app, shopId);

        Console.WriteLine($"sync: {syncedOrders:N0} orders and {syncedCustomers:N0} customers in {stopwatch.Elapsed.TotalSeconds:0.0} s " +
                          $"= {syncedOrders / stopwatch.Elapsed.TotalSeconds:N0} orders/s end to end (export wait included); " +
                          $"process working set {baseline / 1048576:N0} MiB before, peak {peak / 1048576:N0} MiB during (+{(peak - baseline) / 1048576:N0} MiB)");
        Console.WriteLine($"of which Shopify's (the simulator's) bulk export took {export.TotalSeconds:0.0} s; WinBack's own part " +
                          $"(download, parse, COPY, merge, rollups) {(stopwatch.Elapsed - export).TotalSeconds:0.0} s = {syncedOrders / (stopwatch.Elapsed - export).TotalSeconds:N0} orders/s");
        Console.WriteLine($"raw COPY of the same {syncedOrders:N0} order rows and their line items into tables with the same keys: {rawCopy.TotalSeconds:0.0} s; " +
                          $"WinBack's part / raw COPY = {(stopwatch.Elapsed - export).TotalSeconds / rawCopy.TotalSeconds:0.00}x, " +
                          $"with the export wait = {stopwatch.Elapsed.TotalSeconds / rawCopy.TotalSeconds:0.00}x");
        return 0;
    }

    /// <summary>From the first export's start to the last one's end, as Shopify reports them.</summary>
    private static async Task<TimeSpan> ExportDurationAsync(WinBackApp app, long shopId)
    {
        using var scope = app.Services.CreateScope();
        var credentials = await scope.ServiceProvider.GetRequiredService<WinBack.Web.Shops.ShopAccessTokens>().GetAsync(shopId);
        var shopify = scope.ServiceProvider.GetRequiredService<WinBack.Shopify.ShopifyGraphQLClient>();
        await using var db = app.CreateDbContext();
        var operations = new List<WinBack.Shopify.BulkOperation>();
        foreach (var id in await db.SyncStates.Where(s => s.ShopId == shopId).Select(s => s.BulkOperationId!).ToListAsync())
            operations.Add((await shopify.GetBulkOperationAsync(credentials, id))!);
        return operations.Max(o => o.CompletedAt!.Value) - operations.Min(o => o.CreatedAt);
    }

    private static Process StartSimulator(int port, int appPort, int orders)
    {
        var dll = typeof(SimulatorProgram).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Simulator__ApiKey"] = WinBackApp.ApiKey,
                ["Simulator__ApiSecret"] = WinBackApp.ApiSecret,
                ["Simulator__AppUrl"] = $"http://127.0.0.1:{appPort}/",
                ["Simulator__Seed__Domain"] = Shop,
                ["Simulator__Seed__Orders"] = orders.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Simulator__Seed__Seed"] = "1",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[simulator] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilReadyAsync(Uri simulatorUrl)
    {
        using var http = new HttpClient();
        async Task<bool> Ready()
        {
            try
            {
                using var response = await http.GetAsync(new Uri(simulatorUrl, $"simulator/shops/{Shop}/id-token"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }
        if (!await Polling.UntilAsync(Ready, TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(250)))
            throw new TimeoutException("The simulator did not come up.");
    }

    /// <summary>PostgreSQL alone: binary COPY of the rows the sync wrote (orders and their line items) into copies of those tables.</summary>
    private static async Task<TimeSpan> RawCopyAsync(string connectionString, long shopId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var elapsed = TimeSpan.Zero;
        foreach (var table in new[] { "orders", "order_line_items" })
        {
            var rows = new MemoryStream();
            await using (var export = await connection.BeginRawBinaryCopyAsync($"COPY (SELECT * FROM {table} WHERE shop_id = {shopId}) TO STDOUT (FORMAT BINARY)"))
                await export.CopyToAsync(rows);
            await using (var create = new NpgsqlCommand($"CREATE TABLE raw_{table} (LIKE {table} INCLUDING INDEXES)", connection))
                await create.ExecuteNonQueryAsync();
            rows.Position = 0;
            var stopwatch = Stopwatch.StartNew();
            await using (var import = await connection.BeginRawBinaryCopyAsync($"COPY raw_{table} FROM STDIN (FORMAT BINARY)"))
                await rows.CopyToAsync(import);
            elapsed += stopwatch.Elapsed;
        }
        return elapsed;
    }
}
