using Npgsql;
using WinBack.Web.Predictions;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Predictions;

/// <summary>
/// What changed among a shop's customers since a snapshot is found from the index of the marks and the log of deletions,
/// not by reading every customer: a refit's catch-up runs it while the shop's writers wait, and at a million customers
/// a read of all of them took a second.
/// </summary>
public sealed class CustomerChangesTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private long _shopId;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("changes");
        await using var db = _app.CreateDbContext();
        db.Shops.AddRange(new Shop { Domain = "changes.myshopify.com", InstalledAt = DateTimeOffset.UtcNow },
            new Shop { Domain = "other.myshopify.com", InstalledAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        _shopId = db.Shops.Single(s => s.Domain == "changes.myshopify.com").Id;
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var shop in db.Shops.ToList())
            db.Customers.AddRange(Enumerable.Range(1, 5000).Select(i => new Customer
            {
                ShopId = shop.Id, Id = i, CreatedAt = start, UpdatedAt = start, OrdersCount = 1 + i % 4, LastOrderAt = start.AddHours(i), TotalSpent = i % 500,
            }));
        await db.SaveChangesAsync();
        await ExecuteAsync("UPDATE customers SET rollups_changed_xid = pg_current_xact_id()");
        await ExecuteAsync("ANALYZE customers");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_customers_changed_or_deleted_since_a_snapshot_are_found_from_the_index_and_the_log_alone()
    {
        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        string snapshot;
        await using (var taking = new NpgsqlCommand("SELECT pg_current_snapshot()::text", connection))
            snapshot = (string)(await taking.ExecuteScalarAsync())!;
        // Since the snapshot: three customers' rollups change (one is left without an order), one customer is deleted,
        // and the other shop changes everyone.
        await ExecuteAsync($"UPDATE customers SET rollups_changed_xid = pg_current_xact_id(), orders_count = CASE WHEN id = 12 THEN 0 ELSE orders_count END WHERE shop_id = {_shopId} AND id IN (12, 7, 4000)");
        await ExecuteAsync($"DELETE FROM customers WHERE shop_id = {_shopId} AND id = 9");
        await ExecuteAsync($"UPDATE customers SET rollups_changed_xid = pg_current_xact_id() WHERE shop_id <> {_shopId}");

        (await CustomerChanges.ChangedSinceAsync(connection, _shopId, snapshot, 30, CancellationToken.None)).Should().Equal(
            new CustomerChanges.Changed(7, true), new CustomerChanges.Changed(12, false), new CustomerChanges.Changed(4000, true));
        (await CustomerChanges.DeletedSinceAsync(connection, _shopId, snapshot, 30, CancellationToken.None)).Should().Equal(9);

        // The log of deletions is small (forgotten as each refit keeps its read); the customers are the shop's every one.
        await using var explain = new NpgsqlCommand("EXPLAIN " + CustomerChanges.ChangedSinceSql, connection)
            { Parameters = { new() { Value = _shopId }, new() { Value = snapshot } } };
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        string.Join('\n', plan).Should().Contain("ix_customers_rollups_changed", "the changed customers are a range of the index, not a scan of every customer");
    }
}
