using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;

namespace WinBack.Web.Jobs;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Run a Hangfire server in this process. Several app servers may all run one; they share the PostgreSQL storage.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>How long a worker that vanished (a crash, a deploy) keeps its job before another worker takes it. The timeout
    /// slides while the job runs, so a long job (a large first sync) is never picked up a second time.</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often idle workers look for queued jobs when no notification woke them.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Idle workers wait on PostgreSQL's LISTEN/NOTIFY and pick a queued job up at once (webhook changes reach
    /// the rollups in tens of milliseconds, not up to a poll interval later). Turn off behind a PgBouncer in transaction
    /// mode, which cannot carry LISTEN.</summary>
    public bool EnableLongPolling { get; set; } = true;

    /// <summary>Workers that serve only the webhooks queue, in each process that runs a server.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int WebhookWorkers { get; set; } = 2;

    /// <summary>Workers that serve only Sheet runs (they share Google's quota of 60 writes a minute, so more would only wait).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int SheetWorkers { get; set; } = 2;

    /// <summary>The operator's dashboard at /ops/jobs, behind HTTP Basic with these credentials. Without a password it is not served at all.</summary>
    public string DashboardUser { get; set; } = "operator";

    public string? DashboardPassword { get; set; }

    /// <summary>Hangfire's database: ConnectionStrings:Jobs, else WinBack's own. Its own database keeps the job queue's churn
    /// (and, once WinBack's data is distributed by shop, Hangfire's tables) apart from the shop data.</summary>
    public string? ConnectionString { get; set; }
}

public static class JobsExtensions
{
    /// <summary>Hangfire on PostgreSQL (schema "hangfire" of <see cref="JobsOptions.ConnectionString"/>, created by Hangfire itself on first start).</summary>
    public static IServiceCollection AddWinBackJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.SectionName))
            .PostConfigure<IOptions<DatabaseOptions>>((jobs, database) =>
                jobs.ConnectionString = configuration.GetConnectionString("Jobs") ?? jobs.ConnectionString ?? database.Value.ConnectionString);
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                storage => storage.UseNpgsqlConnection(provider.GetRequiredService<IOptions<JobsOptions>>().Value.ConnectionString),
                new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    InvisibilityTimeout = options.InvisibilityTimeout,
                    UseSlidingInvisibilityTimeout = true,
                    QueuePollInterval = options.QueuePollInterval,
                    EnableLongPolling = options.EnableLongPolling,
                }));
        if (options.RunServer)
        {
            AddServer(services, $":{JobQueues.Webhooks}", [JobQueues.Webhooks], options.WebhookWorkers);
            AddServer(services, $":{JobQueues.Sheets}", [JobQueues.Sheets], options.SheetWorkers);
            AddServer(services, "", JobQueues.General, workers: null);
        }
        services.AddHostedService<RecurringJobs>();
        return services;
    }

    /// <summary>
    /// One Hangfire server of this process, with <see cref="ShopifyFailurePolicy"/> among its filters. The policy is the
    /// server's own, not one of Hangfire's static global filters: those outlive the host that added them, so a second
    /// host in the process (a test's) would run the first one's policy with its disposed services. The activator is this
    /// host's too, for the same reason.
    /// </summary>
    private static void AddServer(IServiceCollection services, string nameSuffix, string[] queues, int? workers) =>
        services.AddHangfireServer((provider, server) =>
        {
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}{nameSuffix}";
            server.Queues = queues;
            if (workers is { } count) server.WorkerCount = count;
            // This host's services build the jobs, never Hangfire's static JobActivator.Current (the last host configured).
            server.Activator = provider.GetRequiredService<JobActivator>();
            var policy = new JobFilterCollection();
            policy.Add(ActivatorUtilities.CreateInstance<ShopifyFailurePolicy>(provider));
            server.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, policy);
        });

    /// <summary>Hangfire's dashboard for the operator only: off unless Jobs:DashboardPassword is set, never open to the internet by default.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<JobsOptions>>().Value;
        if (string.IsNullOrEmpty(options.DashboardPassword)) return routes;
        routes.MapHangfireDashboard("/ops/jobs", new DashboardOptions
        {
            Authorization = [new OperatorAuthorization(options.DashboardUser, options.DashboardPassword)],
            DisplayStorageConnectionString = false,
        });
        return routes;
    }
}
