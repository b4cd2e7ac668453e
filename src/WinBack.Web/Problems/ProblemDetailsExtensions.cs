namespace WinBack.Web.Problems;

public static class ProblemDetailsExtensions
{
    /// <summary>
    /// Errors as RFC 7807 problem details. A body or parameter that cannot even be read (text where a number belongs, a
    /// number too big for its field) is thrown rather than answered with an empty 400, so it gets the same shape with a
    /// sentence instead of nothing.
    /// </summary>
    public static IServiceCollection AddMerchantProblemDetails(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.Exception is not BadHttpRequestException unreadable) return;
            context.HttpContext.Response.StatusCode = unreadable.StatusCode;
            context.ProblemDetails.Status = unreadable.StatusCode;
            context.ProblemDetails.Title = "This request cannot be read.";
            context.ProblemDetails.Detail = "A value has the wrong kind or is out of range: numbers as plain numbers, choices by their name (like \"percentile\").";
        });
    }
}
