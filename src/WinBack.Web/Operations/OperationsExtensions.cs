using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using WinBack.Web.Jobs;

namespace WinBack.Web.Operations;

/// <summary>
/// What the operator watches: /healthz (the process is alive), /readyz (<see cref="ReadinessChecks"/>) and /metrics
/// (Prometheus text of ASP.NET Core, HttpClient, Npgsql, the runtime and <see cref="WinBackMetrics"/>). The probes are
/// anonymous and say nothing about shops; /metrics is the operator's only, behind the jobs dashboard's credentials.
/// </summary>
public static class OperationsExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<WinBackMetrics>();
        services.AddHealthChecks().AddReadinessChecks();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(WinBackMetrics.MeterName, "Npgsql")
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            // Each scrape reads the current values: Prometheus scrapes every few seconds at most.
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        routes.MapHealthChecks("/readyz", ReadinessChecks.Options);
        MapMetrics(routes);
        return routes;
    }

    /// <summary>Served only when Jobs:DashboardPassword is set, behind the same HTTP Basic credentials as the jobs dashboard.</summary>
    private static void MapMetrics(IEndpointRouteBuilder routes)
    {
        var jobs = routes.ServiceProvider.GetRequiredService<IOptions<JobsOptions>>().Value;
        if (string.IsNullOrEmpty(jobs.DashboardPassword)) return;
        var operatorOnly = new OperatorAuthorization(jobs.DashboardUser, jobs.DashboardPassword);
        routes.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (http, next) =>
        {
            if (operatorOnly.Authorize(http)) await next(http);
            else http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }), optionsName: null);
    }
}
