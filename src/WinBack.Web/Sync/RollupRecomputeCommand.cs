using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// The operator's full recompute of one shop's rollups from its orders (<c>recompute-rollups shop.myshopify.com</c>):
/// what the sync and the webhooks keep up to date row by row, computed again from scratch. It only rewrites customers
/// whose numbers differ, so running it on a healthy shop changes nothing.
/// </summary>
public static class RollupRecomputeCommand
{
    public const string Name = "recompute-rollups";

    /// <returns>The process exit code: 0 when done, 1 when there is no such shop. The result is the command's output
    /// (stdout, or stderr for the error), whatever the logging configuration.</returns>
    public static async Task<int> RunAsync(IServiceProvider services, string shopDomain)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var shopId = await db.Shops.Where(s => s.Domain == shopDomain).Select(s => (long?)s.Id).SingleOrDefaultAsync();
        if (shopId is null)
        {
            await Console.Error.WriteLineAsync($"No shop {shopDomain} is installed here; give its myshopify domain, for example example.myshopify.com.");
            return 1;
        }
        var changed = await scope.ServiceProvider.GetRequiredService<CustomerRollups>().RecomputeShopAsync(shopId.Value, CancellationToken.None);
        await Console.Out.WriteLineAsync($"Recomputed the rollups of {shopDomain}: {changed} customers changed.");
        return 0;
    }
}
