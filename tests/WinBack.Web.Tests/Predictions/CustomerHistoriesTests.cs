using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Predictions;
using WinBack.Web.Reports;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// A large shop's refit reads its customers' orders in two halves at once, on two connections. What the models and RFM
/// read must not depend on it: a generated shop read in halves gives the histories and order days of a read in one pass.
/// </summary>
public sealed class CustomerHistoriesTests : IAsyncLifetime
{
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => (_app, _) = await WinBackApp.StartWithSimulatorAsync("histories");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(List<CustomerHistory> Histories, List<DateOnly[]> Days)> ReadAsync(long shopId, int readInHalvesFrom)
    {
        await using var db = _app.CreateDbContext();
        var scope = await _app.Services.CreateScope().ServiceProvider.GetRequiredService<ReportScopes>().LoadAsync(shopId, CancellationToken.None);
        var days = new List<DateOnly[]>();
        var histories = await new CustomerHistories(db) { ReadInHalvesFrom = readInHalvesFrom }
            .ReadAsync(shopId, scope.Calendar, customerIds: null, CancellationToken.None, purchaseDays: days);
        return (histories, days);
    }

    [Theory]
    [InlineData(1_500, 41)]
    [InlineData(1_501, 42)]
    public async Task A_shop_read_in_two_halves_at_once_gives_what_a_read_in_one_pass_gives(int orders, int seed)
    {
        var (_, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop($"halves-{seed}.myshopify.com", Orders: orders, Seed: seed));
        int buyers;
        await using (var db = _app.CreateDbContext())
            buyers = await db.Customers.CountAsync(c => c.ShopId == shopId && c.OrdersCount > 0);

        var onePass = await ReadAsync(shopId, readInHalvesFrom: int.MaxValue);
        var halves = await ReadAsync(shopId, readInHalvesFrom: 1);

        onePass.Histories.Should().HaveCount(buyers, "every customer with a qualifying order has a history");
        onePass.Histories.Select(h => h.CustomerId).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        halves.Histories.Should().Equal(onePass.Histories, "the halves are read in id order and appended in it");
        halves.Days.Should().HaveCount(onePass.Days.Count);
        for (var i = 0; i < onePass.Days.Count; i++) halves.Days[i].Should().Equal(onePass.Days[i], $"customer {onePass.Histories[i].CustomerId}'s order days");
    }
}
