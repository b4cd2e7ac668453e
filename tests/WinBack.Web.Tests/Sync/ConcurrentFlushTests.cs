using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Data;
using WinBack.Web.Sync;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Sync;

/// <summary>
/// Two webhook batches that change one customer's orders at the same time (two webhook workers, or a reconciliation):
/// whichever commits last must leave the rollups of both changes, not the totals it computed before the other committed.
/// </summary>
public sealed class ConcurrentFlushTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("concurrent-flush");
        _shop = await new ReportShop(_app, "busy.myshopify.com", "UTC").Customer(1, "Cleo", "Clash")
            .Order(1, new DateTime(2026, 6, 1, 10, 0, 0), 40m).Order(1, new DateTime(2026, 9, 1, 10, 0, 0), 60m).SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static OrderRow Row(Order order, bool cancelled = false) =>
        new(order.Id, order.CustomerId, order.Name, order.ProcessedAt, DateTimeOffset.UtcNow, cancelled ? DateTimeOffset.UtcNow : null, false, order.CurrentTotal, "USD");

    [Fact]
    public async Task A_cancellation_and_a_new_order_of_one_customer_flushed_at_once_both_reach_the_rollups()
    {
        Order september;
        await using (var db = _app.CreateDbContext())
            september = await db.Orders.SingleAsync(o => o.ShopId == _shop.ShopId && o.ProcessedAt == new DateTimeOffset(2026, 9, 1, 10, 0, 0, TimeSpan.Zero));
        var november = new Order { ShopId = _shop.ShopId, Id = 5001, CustomerId = 1, Name = "#5001", ProcessedAt = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), CurrentTotal = 25m, CurrencyCode = "USD" };

        // Batch A cancels September's order and flushes, holding its transaction open.
        using var scopeA = _app.Services.CreateScope();
        var dbA = scopeA.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var writerA = scopeA.ServiceProvider.GetRequiredService<SyncWriter>();
        await using var transactionA = await dbA.Database.BeginTransactionAsync();
        writerA.UpsertOrders(_shop.ShopId, "USD", [(Row(september, cancelled: true), null)]);
        await writerA.FlushAsync(CancellationToken.None);

        // Batch B records a new order of the same customer and flushes: it must wait for A, then count A's cancellation.
        using var scopeB = _app.Services.CreateScope();
        var dbB = scopeB.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var writerB = scopeB.ServiceProvider.GetRequiredService<SyncWriter>();
        var batchB = Task.Run(async () =>
        {
            await using var transactionB = await dbB.Database.BeginTransactionAsync();
            writerB.UpsertOrders(_shop.ShopId, "USD", [(Row(november), null)]);
            await writerB.FlushAsync(CancellationToken.None);
            await transactionB.CommitAsync();
        });
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the second transaction waits for the first");
        await transactionA.CommitAsync();
        await batchB;

        await using var check = _app.CreateDbContext();
        var cleo = await check.Customers.AsNoTracking().SingleAsync(c => c.ShopId == _shop.ShopId && c.Id == 1);
        cleo.Should().BeEquivalentTo(new { OrdersCount = 2, TotalSpent = 65m, LastOrderAt = november.ProcessedAt },
            "June's 40 and November's 25 qualify; September's order was cancelled by the other batch");
    }
}
