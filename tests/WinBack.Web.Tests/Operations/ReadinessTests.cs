using System.Net;
using System.Text.Json;
using Npgsql;

namespace WinBack.Web.Tests.Operations;

/// <summary>/healthz says the process is alive; /readyz whether it can serve: its database, Hangfire's storage, its migrations.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_migrated_app_is_ready_and_names_each_check_without_revealing_its_connection()
    {
        await using var app = await WinBackApp.StartAsync("ready");
        var client = app.CreateClient();

        var ready = await client.GetAsync("/readyz");

        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await ready.Content.ReadAsStringAsync();
        var checks = JsonDocument.Parse(body).RootElement.GetProperty("checks");
        checks.EnumerateObject().Select(c => (c.Name, c.Value.GetString())).Should().BeEquivalentTo(
            new[] { ("database", "Healthy"), ("migrations", "Healthy"), ("jobs-storage", "Healthy") });
        body.Should().NotContain(new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!);
    }

    [Fact]
    public async Task With_the_database_down_readyz_is_503_naming_it_while_healthz_stays_200_and_readiness_returns_with_the_database()
    {
        var database = await PostgresServer.StartPrivateAsync();
        try
        {
            await using var app = await WinBackApp.StartAsync("down", server: database);
            var client = app.CreateClient();
            (await client.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK);

            await database.StopAsync();
            var notReady = await client.GetAsync("/readyz");
            var alive = await client.GetAsync("/healthz");
            await database.StartAgainAsync();

            notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            notReady.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            var problem = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("detail").GetString().Should().Contain("database: WinBack's database cannot be reached.")
                .And.Contain("jobs-storage: Hangfire's job storage cannot be reached.");
            problem.GetProperty("checks").GetProperty("database").GetString().Should().Be("Unhealthy");
            problem.ToString().Should().NotContain("127.0.0.1", "the probe is anonymous: no host, port or exception text");
            alive.StatusCode.Should().Be(HttpStatusCode.OK, "the process itself is alive; restarting it would not help");
            // A load balancer keeps asking; the first answers after the restart may still meet dead pooled connections.
            var status = HttpStatusCode.ServiceUnavailable;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); status != HttpStatusCode.OK && DateTime.UtcNow < deadline; await Task.Delay(500))
                status = (await client.GetAsync("/readyz")).StatusCode;
            status.Should().Be(HttpStatusCode.OK, "the app is ready again once its database is back");
        }
        finally
        {
            await database.StopAsync();
        }
    }

    [Fact]
    public async Task A_database_missing_a_migration_is_not_ready_and_says_how_to_apply_it()
    {
        await using var app = await WinBackApp.StartAsync("unmigrated");
        await using (var connection = new NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var forget = new NpgsqlCommand(
                "DELETE FROM __ef_migrations_history WHERE migration_id = (SELECT max(migration_id) FROM __ef_migrations_history)", connection);
            await forget.ExecuteNonQueryAsync();
        }

        var notReady = await app.CreateClient().GetAsync("/readyz");

        notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var detail = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        detail.Should().Be("Not ready: migrations: 1 database migration(s) are not applied; run `WinBack.Web migrate`.");
    }
}
