using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WinBack.Web.Jobs;

namespace WinBack.Web.Tests.Jobs;

/// <summary>
/// Hangfire keeps its configuration in statics (<c>JobStorage.Current</c>, <c>JobActivator.Current</c>), and the last host
/// to configure it wins. Two hosts in one process (the tests' hosts, started side by side) must each keep their own: a
/// host that took the other's activator ran its jobs with the other's disposed services ("Cannot access a disposed
/// object. Object name: 'IServiceProvider'") and its webhooks waited for retries; one that took the other's storage
/// queued its jobs in the other's database.
/// </summary>
public sealed class TwoHostsInOneProcessTests
{
    [Fact]
    public async Task A_host_runs_its_jobs_with_its_own_services_and_storage_though_another_host_configured_Hangfire_after_it_and_stopped()
    {
        var server = await PostgresServer.Shared;
        var firstDatabase = await server.CreateDatabaseAsync("jobs_first");
        var secondDatabase = await server.CreateDatabaseAsync("jobs_second");
        try
        {
            var firstMarker = new HostMarker();
            await using var first = BuildHost(firstDatabase, firstMarker);
            first.GetRequiredService<IGlobalConfiguration>();

            // The second host configures Hangfire between the first host's configuration and its servers' start, then stops.
            await using (var second = BuildHost(secondDatabase, new HostMarker()))
                second.GetRequiredService<IGlobalConfiguration>();

            var activator = first.GetRequiredService<JobActivator>();
            using (var scope = activator.BeginScope((JobActivatorContext)null!))
                scope.Resolve(typeof(HostMarker)).Should().BeSameAs(firstMarker, "the first host's jobs are built from its own services");

            first.GetRequiredService<IBackgroundJobClient>().Enqueue<HostMarker>(marker => marker.Touch());
            (await Sql.CountAsync(firstDatabase, "SELECT count(*) FROM hangfire.job")).Should().Be(1, "the first host queues its jobs in its own jobs database");
            (await Sql.CountAsync(secondDatabase, "SELECT count(*) FROM hangfire.job")).Should().Be(0, "nothing of the first host's lands in the second host's database");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await server.DropDatabaseAsync(firstDatabase);
            await server.DropDatabaseAsync(secondDatabase);
        }
    }

    private static ServiceProvider BuildHost(string jobsDatabase, HostMarker marker)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Jobs"] = jobsDatabase,
                ["Jobs:RunServer"] = "false",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(marker);
        services.AddWinBackJobs(configuration);
        return services.BuildServiceProvider();
    }

    public sealed class HostMarker
    {
        public void Touch() { }
    }
}
