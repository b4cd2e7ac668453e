using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Data;

namespace WinBack.Web.Tests;

/// <summary>The one test host: the real app, with its real migrations, on its own PostgreSQL database.</summary>
public sealed class WinBackApp(string connectionString) : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    public static async Task<WinBackApp> StartAsync(string databasePrefix = "app")
    {
        var server = await PostgresServer.Shared;
        var app = new WinBackApp(await server.CreateDatabaseAsync(databasePrefix));
        await app.Services.MigrateDatabaseAsync();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:WinBack", ConnectionString);
        // Tests run jobs by calling the job classes; a background Hangfire server would race them.
        builder.UseSetting("Jobs:RunServer", "false");
    }

    public WinBackDbContext CreateDbContext() => Services.CreateScope().ServiceProvider.GetRequiredService<WinBackDbContext>();
}
