using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Privacy;
using WinBack.Web.Settings;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Privacy;

/// <summary>
/// An erasure (customers/redact, the retention period) and a list being recorded for the outcomes (a CSV download, a
/// digest, a Sheet run) at the same moment: whichever goes first, no listing of the erased customer is left behind.
/// </summary>
public sealed class ErasureRaceTests : IAsyncLifetime
{
    private const long Erased = 1, Kept = 2;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("erasure-race");
        _shop = await new ReportShop(_app, "forgetful.myshopify.com", "UTC").Customer(Erased, "Ezra", "Gone").Customer(Kept, "Kira", "Stays")
            .Order(Erased, new DateTime(2026, 5, 1, 10, 0, 0), 40m).Order(Kept, new DateTime(2026, 5, 2, 10, 0, 0), 50m).SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private WinBackOutcomes.Listed[] Listed => [new(Erased, new DateOnly(2026, 5, 1), "lost"), new(Kept, new DateOnly(2026, 5, 2), "lost")];

    private async Task<List<long>> ListedCustomersAsync()
    {
        await using var db = _app.CreateDbContext();
        return await db.WinBackListings.Where(l => l.ShopId == _shop.ShopId).Select(l => l.CustomerId).ToListAsync();
    }

    [Fact]
    public async Task A_list_recorded_while_an_erasure_is_being_committed_leaves_out_the_erased_customer()
    {
        using var erasing = _app.Services.CreateScope();
        var erasureDb = erasing.ServiceProvider.GetRequiredService<WinBackDbContext>();
        await using var erasure = await erasureDb.Database.BeginTransactionAsync();
        await CustomerErasure.EraseAsync(erasureDb, _shop.ShopId, [Erased], CancellationToken.None);

        using var recording = _app.Services.CreateScope();
        var record = recording.ServiceProvider.GetRequiredService<WinBackOutcomes>().RecordAsync(_shop.ShopId, Listed, ListingChannels.Csv, CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the second transaction waits for the first");
        await erasure.CommitAsync();
        await record;

        (await ListedCustomersAsync()).Should().Equal([Kept], "the erased customer's listing would outlive the erasure");
    }

    [Fact]
    public async Task An_erasure_that_starts_while_a_list_is_being_recorded_removes_its_listing_too()
    {
        using var recording = _app.Services.CreateScope();
        var recordingDb = recording.ServiceProvider.GetRequiredService<WinBackDbContext>();
        await using var sheetRun = await recordingDb.Database.BeginTransactionAsync();
        await recording.ServiceProvider.GetRequiredService<WinBackOutcomes>().RecordAsync(_shop.ShopId, Listed, ListingChannels.Sheet, CancellationToken.None);

        using var erasing = _app.Services.CreateScope();
        var erasureDb = erasing.ServiceProvider.GetRequiredService<WinBackDbContext>();
        var erase = Task.Run(async () =>
        {
            await using var erasure = await erasureDb.Database.BeginTransactionAsync();
            await CustomerErasure.EraseAsync(erasureDb, _shop.ShopId, [Erased], CancellationToken.None);
            await erasure.CommitAsync();
        });
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the second transaction waits for the first");
        await sheetRun.CommitAsync();
        await erase;

        (await ListedCustomersAsync()).Should().Equal([Kept], "the erasure removes listings committed while it waited");
    }
    [Fact]
    public async Task The_retention_period_does_not_erase_a_customer_whose_new_order_is_being_committed()
    {
        await using (var db = _app.CreateDbContext())
        {
            (await db.ShopSettingsToChangeAsync(_shop.ShopId, CancellationToken.None)).RetentionMonths = DataRetention.MinMonths;
            await db.SaveChangesAsync();
            await db.Orders.Where(o => o.ShopId == _shop.ShopId).ExecuteUpdateAsync(o => o.SetProperty(x => x.ProcessedAt, DateTimeOffset.UtcNow.AddYears(-2)));
        }
        await _shop.RecomputeAsync();

        // Ezra, gone two years, orders again: the webhook's batch has written the order and his rollups, not yet committed.
        using var webhook = _app.Services.CreateScope();
        var webhookDb = webhook.ServiceProvider.GetRequiredService<WinBackDbContext>();
        await using var batch = await webhookDb.Database.BeginTransactionAsync();
        var writer = webhook.ServiceProvider.GetRequiredService<WinBack.Web.Sync.SyncWriter>();
        writer.UpsertOrders(_shop.ShopId, "USD", [(new WinBack.Web.Sync.OrderRow(7001, Erased, "#7001", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, false, 30m, "USD"), null)]);
        await writer.FlushAsync(CancellationToken.None);

        using var nightly = _app.Services.CreateScope();
        var retention = nightly.ServiceProvider.GetRequiredService<DataRetention>().RunAsync(_shop.ShopId, CancellationToken.None);
        (await _app.SomeoneWaitsOnALockAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the retention run waits for the webhook's batch");
        await batch.CommitAsync();
        await retention;

        await using var check = _app.CreateDbContext();
        (await check.Customers.Where(c => c.ShopId == _shop.ShopId).Select(c => c.Id).OrderBy(id => id).ToListAsync())
            .Should().Equal([Erased], "Ezra came back and is kept; Kira, gone two years, is erased");
    }
}
