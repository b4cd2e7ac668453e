using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Data;

public sealed class DatabaseSchemaTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_leave_nothing_pending()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync("migrate");
        var options = DatabaseExtensions.Configure(new DbContextOptionsBuilder<WinBackDbContext>(), connectionString).Options;
        await using var db = new WinBackDbContext((DbContextOptions<WinBackDbContext>)options);

        await db.Database.MigrateAsync();

        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        var tables = await Scalars<string>(connectionString, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        tables.Should().Contain(["shops", "shop_settings", "customers", "orders", "sync_states", "webhook_receipts"]);
    }

    [Fact]
    public async Task Money_is_numeric_every_time_is_timestamptz_and_floats_are_for_model_quantities_only()
    {
        await using var app = await WinBackApp.StartAsync("types");
        var types = await Pairs(app.ConnectionString,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\\_\\_%'");

        types.Where(t => t.Key.EndsWith("_at", StringComparison.Ordinal) || t.Key.EndsWith(".watermark", StringComparison.Ordinal))
            .Should().OnlyContain(t => t.Value == "timestamp with time zone");
        types["customers.total_spent"].Should().Be("numeric");
        types["orders.current_total"].Should().Be("numeric");
        types["customer_predictions.predicted_value"].Should().Be("numeric");
        types.Values.Should().NotContain(["real", "timestamp without time zone"]);
        // Floating point only for the models' own quantities (probabilities, intervals in days, parameters), never money.
        types.Where(t => t.Value == "double precision").Select(t => t.Key).Should().BeSubsetOf([
            "customer_predictions.probability_alive", "customer_predictions.usual_interval_days",
            "customer_model_fits.r", "customer_model_fits.alpha", "customer_model_fits.a", "customer_model_fits.b", "customer_model_fits.log_likelihood",
            "customer_model_fits.p", "customer_model_fits.q", "customer_model_fits.gamma", "customer_model_fits.spend_shop_average", "customer_model_fits.spend_shop_average_orders", "customer_model_fits.seconds",
            "model_track_records.predicted_purchases", "model_track_records.model_auc", "model_track_records.rule_auc", "model_track_records.model_brier", "model_track_records.rule_brier"]);
    }

    [Fact]
    public async Task Every_table_is_keyed_by_shop_first()
    {
        await using var app = await WinBackApp.StartAsync("keys");
        var firstKeyColumns = await Pairs(app.ConnectionString, """
            SELECT c.conrelid::regclass::text, a.attname
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace AND c.conrelid::regclass::text NOT LIKE '\_\_%'
            """);

        firstKeyColumns.Should().Contain(new Dictionary<string, string>
        {
            ["shops"] = "id",
            ["shop_settings"] = "shop_id",
            ["customers"] = "shop_id",
            ["orders"] = "shop_id",
            ["sync_states"] = "shop_id",
            ["webhook_receipts"] = "shop_domain",
        });
    }

    /// <summary>
    /// Tables that are not one shop's rows, each with the reason; everything else is distributed by shop_id when one
    /// PostgreSQL is no longer enough (Citus), which needs every key and unique index to start with it. Hangfire's tables
    /// are in their own schema (and may be in their own database, ConnectionStrings:Jobs).
    /// </summary>
    private static readonly Dictionary<string, string> NotKeyedByShopId = new()
    {
        ["shops"] = "the shops themselves: a reference table, on every node",
        ["webhook_receipts"] = "keyed by shop_domain: compliance webhooks arrive for shops WinBack no longer has (distributed by shop_domain)",
        ["customer_data_requests"] = "keyed by shop_domain, for the same reason as webhook_receipts",
        ["data_protection_keys"] = "ASP.NET Core's key ring, shared by every process: a reference table",
        ["sheets_write_slots"] = "Google's write quota, one for all shops of a service account: a reference table",
    };

    [Fact]
    public async Task Every_key_and_unique_index_of_shop_data_starts_with_shop_id_and_foreign_keys_between_shop_tables_carry_it()
    {
        await using var app = await WinBackApp.StartAsync("shard");
        var uniqueIndexes = await Pairs(app.ConnectionString, """
            SELECT c.relname || '.' || i.relname, a.attname
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0]
            WHERE x.indisunique AND c.relnamespace = 'public'::regnamespace AND c.relname NOT LIKE '\_\_%'
            """);
        var foreignKeys = await Pairs(app.ConnectionString, """
            SELECT c.conrelid::regclass::text || '.' || c.conname, c.confrelid::regclass::text || ':' || string_agg(a.attname, ',')
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
            GROUP BY c.conrelid, c.conname, c.confrelid
            """);
        var tables = await Scalars<string>(app.ConnectionString, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");

        tables.Should().Contain(NotKeyedByShopId.Keys, "every exception names a table that exists");
        uniqueIndexes.Where(i => !NotKeyedByShopId.ContainsKey(i.Key.Split('.')[0]) && i.Value != "shop_id").Select(i => i.Key)
            .Should().BeEmpty("a unique index without shop_id first cannot be enforced once rows are spread over nodes by shop");
        uniqueIndexes.Should().ContainKey("customers.pk_customers").WhoseValue.Should().Be("shop_id");
        foreignKeys.Where(f => !f.Value.Split(':')[1].Split(',').Contains("shop_id")).Select(f => f.Key)
            .Should().BeEmpty("rows that refer to each other must be on the same node: the key between them includes shop_id");
        foreignKeys.Should().NotBeEmpty();
    }

    [Fact]
    public async Task The_inactive_customers_page_is_read_from_its_index()
    {
        await using var app = await WinBackApp.StartAsync("plan");
        await using (var db = app.CreateDbContext())
        {
            db.Shops.Add(new Shop { Domain = "plan.myshopify.com", InstalledAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            var shopId = db.Shops.Single().Id;
            var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            db.Customers.AddRange(Enumerable.Range(1, 5000).Select(i => new Customer
            {
                ShopId = shopId, Id = i, CreatedAt = start, UpdatedAt = start,
                OrdersCount = i % 10 == 0 ? 0 : 1 + i % 4,
                LastOrderAt = i % 10 == 0 ? null : start.AddHours(i),
                TotalSpent = i % 500,
            }));
            await db.SaveChangesAsync();
        }
        await Scalars<string>(app.ConnectionString, "ANALYZE customers");

        var plan = string.Join('\n', await Scalars<string>(app.ConnectionString, """
            EXPLAIN SELECT id, last_order_at, total_spent FROM customers
            WHERE shop_id = 1 AND orders_count > 0 AND last_order_at < '2024-06-01'
            ORDER BY last_order_at, id LIMIT 50
            """));

        plan.Should().Contain("ix_customers_inactive").And.NotContain("Sort");
    }

    [Fact]
    public async Task Deleting_a_shop_deletes_its_customers_orders_line_items_and_listings_and_no_other_shops()
    {
        await using var app = await WinBackApp.StartAsync("cascade");
        await using var db = app.CreateDbContext();
        var shop = new Shop { Domain = "gone.myshopify.com", InstalledAt = DateTimeOffset.UtcNow };
        var other = new Shop { Domain = "stays.myshopify.com", InstalledAt = DateTimeOffset.UtcNow };
        db.Shops.AddRange(shop, other);
        await db.SaveChangesAsync();
        foreach (var s in new[] { shop, other })
        {
            db.Customers.Add(new Customer { ShopId = s.Id, Id = 1, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            db.Orders.Add(new Order { ShopId = s.Id, Id = 10, CustomerId = 1, Name = "#1001", CurrencyCode = "USD", ProcessedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, CurrentTotal = 12.5m });
            db.OrderLineItems.Add(new OrderLineItem { ShopId = s.Id, OrderId = 10, Id = 100, ProductId = 7, Title = "Tea", Quantity = 1 });
            db.WinBackListings.Add(new WinBackListing { ShopId = s.Id, CustomerId = 1, LastOrderOn = new DateOnly(2026, 9, 1), FirstListedAt = DateTimeOffset.UtcNow,
                Segment = "lost", Channels = ListingChannels.Csv });
        }
        await db.SaveChangesAsync();

        await db.Shops.Where(s => s.Id == shop.Id).ExecuteDeleteAsync();

        (await db.Customers.Select(c => c.ShopId).ToListAsync()).Should().Equal(other.Id);
        (await db.Orders.Select(o => o.ShopId).ToListAsync()).Should().Equal(other.Id);
        (await db.OrderLineItems.Select(li => li.ShopId).ToListAsync()).Should().Equal(other.Id);
        (await db.WinBackListings.Select(l => l.ShopId).ToListAsync()).Should().Equal(other.Id);
    }

    [Fact]
    public async Task A_change_to_a_shops_customers_moves_its_report_data_version_once_per_transaction_at_commit()
    {
        await using var app = await WinBackApp.StartAsync("versions");
        await using var db = app.CreateDbContext();
        var shop = new Shop { Domain = "versioned.myshopify.com", InstalledAt = DateTimeOffset.UtcNow };
        db.Shops.Add(shop);
        await db.SaveChangesAsync();
        db.Customers.Add(new Customer { ShopId = shop.Id, Id = 1, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        var before = await VersionAsync();

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.Customers.Where(c => c.ShopId == shop.Id).ExecuteUpdateAsync(c => c.SetProperty(x => x.OrdersCount, 1));
            await db.Customers.Where(c => c.ShopId == shop.Id).ExecuteUpdateAsync(c => c.SetProperty(x => x.TotalSpent, 10m));
            (await VersionAsync()).Should().Be(before, "readers never see a version ahead of the rows it stands for");
            await transaction.CommitAsync();
        }

        (await VersionAsync()).Should().Be(before + 1);
        (await Scalars<long>(app.ConnectionString, "SELECT count(*) FROM report_data_version_bumps")).Should().Equal(0L);

        async Task<long> VersionAsync() =>
            (await Scalars<long>(app.ConnectionString, $"SELECT version FROM report_data_versions WHERE shop_id = {shop.Id}")).Single();
    }

    private static async Task<List<T>> Scalars<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
            if (reader.FieldCount > 0) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    private static async Task<Dictionary<string, string>> Pairs(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var pairs = new Dictionary<string, string>();
        while (await reader.ReadAsync()) pairs[reader.GetString(0)] = reader.GetString(1);
        return pairs;
    }
}
