using System.ComponentModel.DataAnnotations;

namespace WinBack.Shopify;

/// <summary>How WinBack reaches Shopify's Admin API. Bound from the "Shopify" configuration section.</summary>
public sealed class ShopifyOptions
{
    public const string SectionName = "Shopify";

    /// <summary>Admin API version, e.g. "2026-01". Bulk concurrency and defaults differ by version.</summary>
    [Required, RegularExpression(@"^(\d{4}-(01|04|07|10)|unstable)$")]
    public string ApiVersion { get; set; } = "2026-01";

    /// <summary>Where a shop's admin lives. "{shop}" is replaced by the shop's myshopify domain.
    /// Production keeps the default; the simulator is reached with e.g. "http://127.0.0.1:5080/{shop}".</summary>
    [Required]
    public string ShopBaseUrl { get; set; } = "https://{shop}";

    /// <summary>How many times a 429 / 503 / THROTTLED answer is retried before the call fails.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    public Uri AdminUrl(string shopDomain, string relativePath) =>
        new($"{ShopBaseUrl.Replace("{shop}", shopDomain, StringComparison.Ordinal).TrimEnd('/')}/admin/{relativePath.TrimStart('/')}");

    public Uri GraphQLUrl(string shopDomain) => AdminUrl(shopDomain, $"api/{ApiVersion}/graphql.json");
}
