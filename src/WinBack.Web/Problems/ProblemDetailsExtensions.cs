using WinBack.Shopify;
using WinBack.Web.Shops;

namespace WinBack.Web.Problems;

public static class ProblemDetailsExtensions
{
    /// <summary>
    /// Errors as RFC 7807 problem details with a sentence that says what to do. A body or parameter that cannot even be
    /// read (text where a number belongs, a number too big for its field) is thrown rather than answered with an empty
    /// 400, so it gets the same shape. Shopify's typed failures, wherever an endpoint meets them, become the merchant's
    /// next step instead of a bare 500.
    /// </summary>
    public static IServiceCollection AddMerchantProblemDetails(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<RefusedTokenHandler>();
        return services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var (status, title, detail, retryAfter) = context.Exception switch
            {
                BadHttpRequestException unreadable => (unreadable.StatusCode, "This request cannot be read.",
                    "A value has the wrong kind or is out of range: numbers as plain numbers, choices by their name (like \"percentile\").", (TimeSpan?)null),
                ShopNotAuthorizedException or ShopifyUnauthorizedException => (StatusCodes.Status403Forbidden, "WinBack cannot reach your store.",
                    "Shopify no longer accepts WinBack's access to your store. Open WinBack again from your Shopify admin to reconnect it, then try again.", null),
                ShopifyThrottledException throttled => (StatusCodes.Status503ServiceUnavailable, "Shopify is busy.",
                    "Shopify asked WinBack to slow down for your store. Try again in a minute.", throttled.RetryAfter),
                ShopifyShopUnavailableException => (StatusCodes.Status503ServiceUnavailable, "Your store is unavailable.",
                    "Shopify reports your store as unavailable (paused, frozen or closed). Try again once it is open.", null),
                _ => (0, null, null, null),
            };
            if (title is null) return;
            context.HttpContext.Response.StatusCode = status;
            if (retryAfter is { } wait)
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.ProblemDetails.Status = status;
            context.ProblemDetails.Title = title;
            context.ProblemDetails.Detail = detail;
        });
    }
}
