using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using WinBack.Web.Data;

namespace WinBack.Web.Tests.Data;

/// <summary>
/// The first waves' migrations were squashed into one Initial migration before any production database existed. The
/// squashed migration must build the very schema the chain built: every table and column (type, nullability, default),
/// index (with its filter), constraint, trigger and function (schema-of-the-migration-chain.txt, read from the chain).
/// From the first production deploy on, migrations are only added.
/// </summary>
public sealed class SquashedSchemaTests
{
    private const string SquashedMigration = "20261201120648_Initial";

    [Fact]
    public async Task The_squashed_migration_builds_the_schema_the_migration_chain_built()
    {
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync("squashed");
        var options = DatabaseExtensions.Configure(new DbContextOptionsBuilder<WinBackDbContext>(), connectionString).Options;
        // Up to the squashed migration only: migrations added after it change the schema on purpose.
        await using (var db = new WinBackDbContext((DbContextOptions<WinBackDbContext>)options))
            await db.GetService<IMigrator>().MigrateAsync(SquashedMigration);

        var expected = File.ReadAllLines(Path.Combine(Repository.Root(), "tests", "WinBack.Web.Tests", "Data", "schema-of-the-migration-chain.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        var actual = await SchemaDescription.ReadAsync(connectionString);

        actual.Except(expected).Should().BeEmpty("the squashed migration builds nothing the chain did not");
        expected.Except(actual).Should().BeEmpty("the squashed migration builds everything the chain did");
        actual.Should().HaveCount(expected.Count);
    }
}
