using Microsoft.AspNetCore.Diagnostics;
using WinBack.Shopify;
using WinBack.Web.Shops;

namespace WinBack.Web.Problems;

/// <summary>
/// A token Shopify refuses in a request is acted on as in a job: the shop is marked, so the merchant's next embedded load
/// reconnects it as the problem details ask. The answer itself is left to the problem details (it handles nothing).
/// </summary>
internal sealed class RefusedTokenHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is ShopifyUnauthorizedException refused)
            await httpContext.RequestServices.GetRequiredService<ShopAccessTokens>().MarkNeedsReauthorizationAsync(refused, cancellationToken);
        return false;
    }
}
