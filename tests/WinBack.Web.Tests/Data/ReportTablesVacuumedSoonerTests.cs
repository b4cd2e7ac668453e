using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using WinBack.Web.Data;

namespace WinBack.Web.Tests.Data;

/// <summary>
/// The deploy that brings autovacuum sooner to the tables the report scans (AutovacuumSettings) gives its settings to the
/// scores' partitions already there, and to a refit's next table being written, as well as to <c>customers</c>; rolled
/// back, it leaves them as PostgreSQL's defaults.
/// </summary>
public sealed class ReportTablesVacuumedSoonerTests
{
    private const string Before = "20261203173000_CustomerChangesIndexed";
    private const string Migration = "20261203200000_ReportTablesVacuumedSooner";
    private static readonly string[] Tables = ["customers", "customer_predictions_7", "customer_predictions_7_next"];

    [Fact]
    public async Task The_migration_sets_autovacuum_on_the_customers_and_every_scores_table_there_is_and_its_rollback_resets_it()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync("vacuumed_sooner");
        var options = (DbContextOptions<WinBackDbContext>)DatabaseExtensions.Configure(new DbContextOptionsBuilder<WinBackDbContext>(), connectionString).Options;
        await using var db = new WinBackDbContext(options);
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(Before);
        // A shop's partition, and the next table its refit is writing when the deploy comes.
        await db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE customer_predictions_7 PARTITION OF customer_predictions FOR VALUES IN (7);
            CREATE TABLE customer_predictions_7_next (LIKE customer_predictions INCLUDING DEFAULTS) WITH (autovacuum_enabled = off);
            """);

        await migrator.MigrateAsync(Migration);
        foreach (var table in Tables)
            (await OptionsAsync(connectionString, table)).Should().Contain(
                ["autovacuum_vacuum_threshold=5000", "autovacuum_vacuum_scale_factor=0.005",
                 "autovacuum_vacuum_insert_threshold=5000", "autovacuum_vacuum_insert_scale_factor=0.005"], table);
        (await OptionsAsync(connectionString, "customer_predictions_7_next")).Should().Contain("autovacuum_enabled=off",
            "a next table's autovacuum stays off until its refit has built its indexes");

        await migrator.MigrateAsync(Before);
        (await OptionsAsync(connectionString, "customers")).Should().BeEmpty();
        (await OptionsAsync(connectionString, "customer_predictions_7")).Should().BeEmpty();
        (await OptionsAsync(connectionString, "customer_predictions_7_next")).Should().Equal("autovacuum_enabled=off");
    }

    private static async Task<string[]> OptionsAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = $1::regclass", connection)
        {
            Parameters = { new() { Value = table } },
        };
        return (string[])(await command.ExecuteScalarAsync())!;
    }
}
