using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;

namespace WinBack.Web.Jobs;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Run a Hangfire server in this process. Several app servers may all run one; they share the PostgreSQL storage.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>A job still running after this long is handed to another worker; it must exceed the longest job (a large first sync).</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromHours(2);
}

public static class JobsExtensions
{
    /// <summary>Hangfire on PostgreSQL (schema "hangfire", created by Hangfire itself on first start).</summary>
    public static IServiceCollection AddWinBackJobs(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.SectionName));
        services.AddHangfire((provider, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                storage => storage.UseNpgsqlConnection(provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", InvisibilityTimeout = options.InvisibilityTimeout, PrepareSchemaIfNecessary = true }));
        if (options.RunServer) services.AddHangfireServer();
        services.AddHostedService<RecurringJobs>();
        return services;
    }
}
