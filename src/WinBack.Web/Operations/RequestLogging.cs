using System.Security.Claims;
using Serilog;
using Serilog.Context;
using Serilog.Events;
using WinBack.Shopify;
using WinBack.Web.Shops;

namespace WinBack.Web.Operations;

/// <summary>
/// One log event per request, carrying the request id and the shop's domain where known: the session token's shop,
/// else the shop a webhook or the install flow names (only a well-formed *.myshopify.com domain; never a token, an email
/// or a query string). Events logged while the request runs carry both as well.
/// </summary>
public static class RequestLogging
{
    public const string ShopDomainProperty = "ShopDomain";
    public const string RequestIdProperty = "RequestId";

    /// <summary>Probes of a load balancer and Prometheus come every few seconds; logged only at Debug.</summary>
    private static readonly string[] ProbePaths = ["/healthz", "/readyz", "/metrics"];

    /// <summary>
    /// Serilog from configuration (section "Serilog": text on the console, JSON in Production), with any sinks registered as
    /// services. The host's own logger, not Serilog's static one: a process with several hosts (the tests) keeps each
    /// host's events with that host.
    /// </summary>
    public static IServiceCollection AddWinBackLogging(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSerilog((provider, logger) => logger.ReadFrom.Configuration(configuration).ReadFrom.Services(provider), preserveStaticLogger: true);

    /// <summary>The request's summary event (first in the pipeline, so it times and sees everything after it).</summary>
    public static IApplicationBuilder UseWinBackRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                diagnostics.Set(RequestIdProperty, http.TraceIdentifier);
                if (ShopOf(http) is { } shop) diagnostics.Set(ShopDomainProperty, shop);
            };
            options.GetLevel = (http, _, failure) =>
                failure is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : ProbePaths.Contains(http.Request.Path.Value) ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });

    /// <summary>Every event logged during the request gets its id and shop (after authentication, which finds the shop).</summary>
    public static IApplicationBuilder UseShopLogContext(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            using (LogContext.PushProperty(RequestIdProperty, http.TraceIdentifier))
            using (LogContext.PushProperty(ShopDomainProperty, ShopOf(http)))
                await next(http);
        });

    private static string? ShopOf(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true) return http.User.FindFirstValue(SessionTokenAuthenticationHandler.ShopDomainClaim);
        var named = http.Request.Headers["X-Shopify-Shop-Domain"].ToString() is { Length: > 0 } header ? header : http.Request.Query["shop"].ToString();
        return ShopifyHmac.IsValidShopDomain(named) ? named : null;
    }
}
