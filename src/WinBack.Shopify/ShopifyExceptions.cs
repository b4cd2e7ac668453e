using System.Net;

namespace WinBack.Shopify;

/// <summary>Base of every failure the Admin API reports. <see cref="RequestId"/> is Shopify's X-Request-Id, quoted to Shopify support.</summary>
public class ShopifyApiException(string message, HttpStatusCode? statusCode = null, string? requestId = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;
    public string? RequestId { get; } = requestId;
}

/// <summary>The bucket stayed empty (THROTTLED) or Shopify answered 429 / 503 after every retry.</summary>
public sealed class ShopifyThrottledException(string message, TimeSpan retryAfter, HttpStatusCode? statusCode, string? requestId)
    : ShopifyApiException(message, statusCode, requestId)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>401: the token is wrong, revoked, or the app was uninstalled. The shop needs a new token.</summary>
public sealed class ShopifyUnauthorizedException(string message, string shopDomain, string? requestId)
    : ShopifyApiException(message, HttpStatusCode.Unauthorized, requestId)
{
    /// <summary>The shop whose token Shopify refused.</summary>
    public string ShopDomain { get; } = shopDomain;
}

/// <summary>The shop is frozen, locked or unavailable (402, 423, SHOP_INACTIVE).</summary>
public sealed class ShopifyShopUnavailableException(string message, HttpStatusCode? statusCode, string? requestId)
    : ShopifyApiException(message, statusCode, requestId);

/// <summary>A single query asked for more than Shopify's per-query maximum (1000 points). Not retryable: the query must shrink.</summary>
public sealed class ShopifyMaxCostExceededException(string message, int cost, int maxCost, string? requestId)
    : ShopifyApiException(message, HttpStatusCode.OK, requestId)
{
    public int Cost { get; } = cost;
    public int MaxCost { get; } = maxCost;
}

/// <summary>GraphQL answered with errors and no data (ACCESS_DENIED, undefined fields, ...).</summary>
public sealed class ShopifyGraphQLException(IReadOnlyList<GraphQLError> errors, string? requestId)
    : ShopifyApiException(string.Join("; ", errors.Select(e => e.Code is null ? e.Message : $"{e.Code}: {e.Message}")), HttpStatusCode.OK, requestId)
{
    public IReadOnlyList<GraphQLError> Errors { get; } = errors;
}

/// <summary>A mutation ran but Shopify refused its input (userErrors).</summary>
public sealed class ShopifyUserErrorsException(string mutation, IReadOnlyList<UserError> userErrors, string? requestId)
    : ShopifyApiException($"{mutation} was refused: {string.Join("; ", userErrors.Select(e => e.Message))}", HttpStatusCode.OK, requestId)
{
    public IReadOnlyList<UserError> UserErrors { get; } = userErrors;
}
