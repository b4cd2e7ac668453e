using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Seeding;

namespace WinBack.ShopifySimulator;

/// <summary>Runs the simulator standalone (local demo, benchmarks). Shops to create at start come from Simulator:Seed.</summary>
public static class SimulatorProgram
{
    public static async Task Main(string[] args)
    {
        if (args is ["bench-generate", var size, ..])
        {
            GeneratorBenchmark.Run(int.Parse(size, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        var app = SimulatorHost.Build(args);
        var seed = app.Configuration.GetSection("Simulator:Seed").Get<ShopLifecycle.NewShop>();
        if (seed is not null)
        {
            var runtime = app.Services.GetRequiredService<SimulatorRuntime>();
            var shop = ShopLifecycle.CreateAndInstall(runtime, seed);
            app.Logger.LogInformation("Seeded {Shop} with {Customers} customers and {Orders} orders", shop.Domain, shop.Customers.Count, shop.Orders.Count);
        }
        await app.RunAsync();
    }
}
