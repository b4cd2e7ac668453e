using System.Diagnostics;
using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Seeding;

/// <summary>`WinBack.ShopifySimulator bench-generate N`: how long loading a generated shop of N orders takes, and its memory.</summary>
public static class GeneratorBenchmark
{
    public static void Run(int orders)
    {
        var store = new SimulatorStore(TimeProvider.System, Options.Create(new SimulatorOptions()));
        var shop = store.GetOrCreate("bench.myshopify.com");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var stopwatch = Stopwatch.StartNew();
        ShopDataGenerator.Populate(shop, store, new GeneratedShopSpec(Seed: 1, orders, DateTimeOffset.UtcNow));
        stopwatch.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"generated {shop.Orders.Count:N0} orders and {shop.Customers.Count:N0} customers in {stopwatch.Elapsed.TotalSeconds:0.00} s " +
                          $"({shop.Orders.Count / stopwatch.Elapsed.TotalSeconds:N0} orders/s), {(after - before) / 1024.0 / 1024.0:N0} MiB held");
    }
}
