using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace WinBack.Web.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>Npgsql connection string (ConnectionStrings:WinBack wins when set).</summary>
    [Required(ErrorMessage = "Set ConnectionStrings:WinBack (or Database:ConnectionString) to WinBack's PostgreSQL database.")]
    public string? ConnectionString { get; set; }

    /// <summary>Apply migrations when the app starts. For local runs only; production runs `WinBack.Web migrate` as a deploy step.</summary>
    public bool MigrateOnStartup { get; set; }
}

public static class DatabaseExtensions
{
    /// <summary>
    /// Runs <paramref name="work"/> in the caller's transaction when there is one, else in a transaction of its own, committed
    /// when the work is done: for writers whose locks (the hold-off of a refit's swap) must last until their writes commit.
    /// </summary>
    public static async Task InTransactionAsync(this DatabaseFacade database, Func<Task> work, CancellationToken cancellationToken) =>
        await database.InTransactionAsync(async () =>
        {
            await work();
            return true;
        }, cancellationToken);

    /// <inheritdoc cref="InTransactionAsync(DatabaseFacade, Func{Task}, CancellationToken)"/>
    public static async Task<T> InTransactionAsync<T>(this DatabaseFacade database, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        if (database.CurrentTransaction is not null) return await work();
        await using var transaction = await database.BeginTransactionAsync(cancellationToken);
        var result = await work();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// A connection of its own to the context's database, open: for work that runs beside the context's connection (an
    /// index build beside another, an import's progress while the context's connection copies). The caller disposes it.
    /// </summary>
    public static async Task<Npgsql.NpgsqlConnection> OpenAnotherConnectionAsync(this DatabaseFacade database, CancellationToken cancellationToken)
    {
        var connection = new Npgsql.NpgsqlConnection(database.GetConnectionString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public static IServiceCollection AddWinBackDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .PostConfigure(o => o.ConnectionString = configuration.GetConnectionString("WinBack") ?? o.ConnectionString)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddDbContextPool<WinBackDbContext>((provider, db) =>
            Configure(db, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value.ConnectionString!));
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder db, string connectionString) =>
        db.UseNpgsql(WithAutoPrepare(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
          .UseSnakeCaseNamingConvention();

    /// <summary>
    /// The report runs the same few statements over and over; Npgsql prepares a statement at its fifth use, so PostgreSQL
    /// plans them once per connection. A connection string that sets Max Auto Prepare itself (0 behind a pooler in
    /// transaction mode) keeps its choice.
    /// </summary>
    private static string WithAutoPrepare(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    private static readonly TimeSpan MigrationStatementTimeout = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a statement over a whole shop's rows may run (a sync's merge of a million customers, a refit's read and
    /// write): minutes on a busy server, not the 30 s an interactive statement gets, after which a large shop's job would
    /// fail the same way on every retry.
    /// </summary>
    public static readonly TimeSpan WholeShopStatementTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Applies pending EF Core migrations. Safe to run from several servers: PostgreSQL serialises them on the history table.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
        // Npgsql's migrator learns whether the history table exists by reading it (npgsql/efcore.pg#3407), which EF logs as
        // a failed command on every fresh database; created first (IF NOT EXISTS, as the migrator would), nothing fails.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        // A migration's statement rewrites or indexes whole tables (every shop's scores, say): it takes as long as the data
        // is large, not the 30 s an interactive statement gets, and one cut short rolls the whole deploy back.
        db.Database.SetCommandTimeout(MigrationStatementTimeout);
        await db.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without starting the app.</summary>
internal sealed class DesignTimeDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<WinBackDbContext>
{
    public WinBackDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<WinBackDbContext>();
        DatabaseExtensions.Configure(builder, Environment.GetEnvironmentVariable("WINBACK_DESIGN_CONNECTION") ?? "Host=127.0.0.1;Database=winback_design");
        return new WinBackDbContext(builder.Options);
    }
}
