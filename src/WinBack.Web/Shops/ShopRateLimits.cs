using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace WinBack.Web.Shops;

/// <summary>
/// Each shop's requests are limited on their own (partitioned by the session token's shop), so one shop's script or
/// stuck page cannot take the API from the others. Test emails have a much smaller budget of their own: the merchant
/// chooses their recipients, so without one WinBack would be a mail relay.
/// </summary>
public static class ShopRateLimits
{
    /// <summary>The policy for endpoints that send an email on demand.</summary>
    public const string TestSends = "test-sends";

    public static IServiceCollection AddShopRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ShopRateLimitOptions.SectionName).Get<ShopRateLimitOptions>() ?? new ShopRateLimitOptions();
        return services.AddRateLimiter(limits => Configure(limits, options.ApiRequestsPerMinute, options.TestSendsPerHour));
    }

    private static void Configure(RateLimiterOptions limits, int apiRequestsPerMinute, int testSendsPerHour)
    {
        limits.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => ShopOf(context) is { } shop
            ? RateLimitPartition.GetTokenBucketLimiter(shop, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, apiRequestsPerMinute / 4),
                TokensPerPeriod = Math.Max(1, apiRequestsPerMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            })
            : RateLimitPartition.GetNoLimiter(""));
        limits.AddPolicy(TestSends, context => RateLimitPartition.GetFixedWindowLimiter(ShopOf(context) ?? "", _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = testSendsPerHour,
            Window = TimeSpan.FromHours(1),
            QueueLimit = 0,
        }));
        limits.OnRejected = async (rejected, cancellationToken) =>
        {
            var response = rejected.HttpContext.Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
            response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(
                    $"Your shop has made too many requests for now. Try again in {Describe(wait)}.",
                    statusCode: StatusCodes.Status429TooManyRequests)
                .ExecuteAsync(rejected.HttpContext);
        };
    }

    // The shop of an authenticated session; webhooks and the install flow are limited by their signatures, not here.
    private static string? ShopOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? context.User.FindFirstValue(SessionTokenAuthenticationHandler.ShopDomainClaim) : null;

    private static string Describe(TimeSpan wait) =>
        wait < TimeSpan.FromMinutes(1) ? $"{Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds" : $"{(int)Math.Ceiling(wait.TotalMinutes)} minutes";
}

/// <summary>The <c>RateLimits</c> section: each shop's budget of API requests, and of emails sent on demand.</summary>
public sealed class ShopRateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sustained requests a minute per shop; a burst of a quarter of it is allowed at once.</summary>
    public int ApiRequestsPerMinute { get; set; } = 1200;

    public int TestSendsPerHour { get; set; } = 5;
}
