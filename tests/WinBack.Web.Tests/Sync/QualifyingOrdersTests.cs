using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Sync;

/// <summary>The qualifying-order rule is written once in SQL and once in the tests' oracle: both pick the same orders.</summary>
public sealed class QualifyingOrdersTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("qualifying");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_SQL_rule_and_the_oracle_pick_the_same_orders_of_a_shop_with_test_cancelled_and_guest_orders()
    {
        var (simulated, shopId) = await _app.SyncShopAsync(new ShopLifecycle.NewShop("qualifying.myshopify.com", Orders: 600, Seed: 21));

        List<long> expected;
        lock (simulated.Sync)
        {
            simulated.Orders.Should().Contain(o => o.Test).And.Contain(o => o.CancelledAt != null).And.Contain(o => o.CustomerId == null);
            expected = simulated.Orders.Where(QualifyingOrdersOracle.IsQualifying).Select(o => o.Id).ToList();
        }
        await using var db = _app.CreateDbContext();
        var picked = await db.Database.SqlQueryRaw<long>($"SELECT id AS \"Value\" FROM orders WHERE shop_id = @shop AND {QualifyingOrders.Sql}",
            new NpgsqlParameter("shop", shopId)).ToListAsync();

        picked.Should().BeEquivalentTo(expected);
        (await db.Orders.CountAsync(o => o.ShopId == shopId)).Should().BeGreaterThan(picked.Count, "the shop has orders that do not qualify");
    }

    [Fact]
    public async Task The_qualifying_orders_index_is_filtered_by_the_rule_itself()
    {
        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // PostgreSQL writes both filters back in its own normal form, so a difference in spacing or brackets cannot hide a different rule.
        await using (var probe = new NpgsqlCommand($"CREATE TEMP TABLE probe (LIKE orders); CREATE INDEX probe_qualifying ON probe (shop_id) WHERE {QualifyingOrders.Sql}", connection, transaction))
            await probe.ExecuteNonQueryAsync();
        await using var filters = new NpgsqlCommand(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid IN ('ix_orders_customer_qualifying'::regclass, 'probe_qualifying'::regclass)",
            connection, transaction);
        var predicates = new List<string>();
        await using (var reader = await filters.ExecuteReaderAsync())
            while (await reader.ReadAsync()) predicates.Add(reader.GetString(0));

        predicates.Should().HaveCount(2).And.OnlyContain(p => p == predicates[0]);
        predicates[0].Should().Contain("cancelled_at IS NULL");
    }
}
