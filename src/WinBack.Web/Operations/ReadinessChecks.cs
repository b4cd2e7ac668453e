using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using WinBack.Web.Data;

namespace WinBack.Web.Operations;

/// <summary>
/// What /readyz checks before a load balancer sends a process work: WinBack's database answers, Hangfire's storage answers,
/// and the schema has every migration. Each check says what is wrong in one fixed sentence; the exception (which may name
/// hosts) goes to the log for the operator, never into the response.
/// </summary>
public static class ReadinessChecks
{
    public const string Tag = "ready";

    public static IHealthChecksBuilder AddReadinessChecks(this IHealthChecksBuilder checks) => checks
        .AddCheck<DatabaseCheck>("database", tags: [Tag], timeout: TimeSpan.FromSeconds(5))
        .AddCheck<MigrationsCheck>("migrations", tags: [Tag], timeout: TimeSpan.FromSeconds(5))
        .AddCheck<JobStorageCheck>("jobs-storage", tags: [Tag], timeout: TimeSpan.FromSeconds(5));

    public static HealthCheckOptions Options => new() { Predicate = check => check.Tags.Contains(Tag), ResponseWriter = WriteAsync };

    /// <summary>200 with each check's status; otherwise 503 as problem details naming what is not ready.</summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString());
        if (report.Status == HealthStatus.Healthy) return http.Response.WriteAsJsonAsync(new { status = "ready", checks });
        var notReady = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
        return Results.Problem(
                title: "WinBack is not ready to serve requests.",
                detail: $"Not ready: {string.Join(" ", notReady)}",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["checks"] = checks })
            .ExecuteAsync(http);
    }

    private static bool IsFailure(Exception e) => e is not OperationCanceledException;

    private sealed class DatabaseCheck(WinBackDbContext db) : IHealthCheck
    {
        private const string Unreachable = "WinBack's database cannot be reached.";

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (IsFailure(e))
            {
                return HealthCheckResult.Unhealthy(Unreachable, e);
            }
        }
    }

    private sealed class MigrationsCheck(WinBackDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
                return pending == 0
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"{pending} database migration(s) are not applied; run `WinBack.Web migrate`.");
            }
            catch (Exception e) when (IsFailure(e))
            {
                return HealthCheckResult.Unhealthy("The applied migrations cannot be read from WinBack's database.", e);
            }
        }
    }

    /// <summary>Hangfire's storage is resolved here, not injected: building it connects, and a failure must be a result, not a 500.</summary>
    private sealed class JobStorageCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            catch (Exception e) when (IsFailure(e))
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire's job storage cannot be reached.", e));
            }
        }
    }
}
