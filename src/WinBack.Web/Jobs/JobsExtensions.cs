using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;

namespace WinBack.Web.Jobs;

public static class JobsExtensions
{
    /// <summary>Hangfire on PostgreSQL (schema "hangfire" of <see cref="JobsOptions.ConnectionString"/>, created by Hangfire itself on first start).</summary>
    public static IServiceCollection AddWinBackJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.SectionName))
            .PostConfigure<IOptions<DatabaseOptions>>((jobs, database) =>
                jobs.ConnectionString = configuration.GetConnectionString("Jobs") ?? jobs.ConnectionString ?? database.Value.ConnectionString)
            .ValidateDataAnnotations()
            .Validate(o => o.InvisibilityTimeout > TimeSpan.Zero && o.QueuePollInterval > TimeSpan.Zero,
                "Jobs:InvisibilityTimeout and Jobs:QueuePollInterval are positive durations, like 00:30:00 and 00:00:00.5.")
            .ValidateOnStart();
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            InvisibilityTimeout = options.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = options.QueuePollInterval,
            EnableLongPolling = options.EnableLongPolling,
        };
        // This host's own storage and activator. Hangfire's defaults for these two are its statics (JobStorage.Current,
        // JobActivator.Current) as they stand when first asked for, that is, as the last host in the process configured
        // them: a second host (a test's) would hand this one its database, or its services once disposed.
        services.AddSingleton<JobStorage>(provider => new PostgreSqlStorage(
            new NpgsqlConnectionFactory(provider.GetRequiredService<IOptions<JobsOptions>>().Value.ConnectionString, storageOptions),
            storageOptions));
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<HangfireLogging>();
        services.AddHangfire((provider, hangfire) =>
        {
            provider.GetRequiredService<HangfireLogging>(); // this host joins the process's Hangfire log until it stops
            hangfire
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseLogProvider(HangfireLogging.Provider)
                .UseStorage(provider.GetRequiredService<JobStorage>());
        });
        if (options.RunServer)
        {
            AddServer(services, $":{JobQueues.Webhooks}", [JobQueues.Webhooks], options.WebhookWorkers);
            AddServer(services, $":{JobQueues.Sheets}", [JobQueues.Sheets], options.SheetWorkers);
            AddServer(services, $":{JobQueues.Shopify}", [JobQueues.Shopify], options.ShopifyWorkers);
            AddServer(services, $":{JobQueues.Refits}", [JobQueues.Refits], options.RefitWorkers);
            AddServer(services, "", JobQueues.General, workers: null);
        }
        services.AddHostedService<RecurringJobs>();
        return services;
    }

    /// <summary>
    /// One Hangfire server of this process, with <see cref="ShopifyFailurePolicy"/> among its filters. The policy is the
    /// server's own, not one of Hangfire's static global filters: those outlive the host that added them, so a second
    /// host in the process (a test's) would run the first one's policy with its disposed services. The activator is this
    /// host's too (see <see cref="AddWinBackJobs"/>), for the same reason.
    /// </summary>
    private static void AddServer(IServiceCollection services, string nameSuffix, string[] queues, int? workers) =>
        services.AddHangfireServer((provider, server) =>
        {
            // Hangfire configured first: its filters, read below for the first time in the process, take their logger
            // from the log provider as it then stands, for good.
            provider.GetRequiredService<IGlobalConfiguration>();
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}{nameSuffix}";
            server.Queues = queues;
            if (workers is { } count) server.WorkerCount = count;
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
