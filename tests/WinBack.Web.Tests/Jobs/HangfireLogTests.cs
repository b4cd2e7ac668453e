using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace WinBack.Web.Tests.Jobs;

/// <summary>
/// Hangfire's own lines (a job failed and will be retried, a job failed for good) reach the app's log. Hangfire's filters
/// take their logger once per process, the first time its filters are read: the app runs as its own process here, the
/// way an operator runs it (no dashboard, which would configure Hangfire early), so what those filters took is what an
/// operator gets.
/// </summary>
public sealed class HangfireLogTests
{
    [Fact]
    public async Task A_failed_job_and_its_retry_are_in_the_log_of_an_app_running_its_jobs_without_the_dashboard()
    {
        var server = await PostgresServer.Shared;
        var database = await server.CreateDatabaseAsync("hangfire_log");
        var port = PostgresServer.FreePort();
        var settings = AppServerProcess.Settings(database, new Uri($"http://127.0.0.1:{port}/"));
        settings["Database__MigrateOnStartup"] = "true";
        settings["Jobs__RunServer"] = "true";
        try
        {
            await using var app = await AppServerProcess.StartAsync(settings, port);

            // A job of a type the app does not have fails on the app's server, as a job of a version since removed would.
            var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
            var jobId = new BackgroundJobClient(new PostgreSqlStorage(new NpgsqlConnectionFactory(database, options), options))
                .Enqueue(() => NotInTheApp.Run());

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!app.Output.Contains($"Failed to process the job '{jobId}'") && DateTime.UtcNow < deadline) await Task.Delay(200);
            app.Output.Should().Contain($"Failed to process the job '{jobId}'", "the operator reads in the log that a job failed and will be retried")
                .And.Contain("Retry attempt 1 of");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(database);
        }
    }

    public static class NotInTheApp
    {
        public static void Run() { }
    }
}
