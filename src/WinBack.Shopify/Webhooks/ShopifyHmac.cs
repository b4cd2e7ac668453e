using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace WinBack.Shopify;

/// <summary>The signatures Shopify puts on webhooks and on the URLs it sends to the app, computed and checked its way.</summary>
public static partial class ShopifyHmac
{
    /// <summary>X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body, keyed with the app's client secret.</summary>
    public static string SignWebhook(string clientSecret, ReadOnlySpan<byte> body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), body));

    public static bool VerifyWebhook(string clientSecret, ReadOnlySpan<byte> body, string? header)
    {
        if (string.IsNullOrEmpty(header)) return false;
        // Compare the encoded strings, as Shopify's libraries do: decoding would accept variants that differ in padding bits.
        var expected = Encoding.ASCII.GetBytes(SignWebhook(clientSecret, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(header));
    }

    /// <summary>The "hmac" query parameter: lowercase hex over the other parameters, sorted by key, joined as k=v with &amp;.</summary>
    public static string SignQuery(string clientSecret, IEnumerable<KeyValuePair<string, string>> parameters) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(CanonicalQuery(parameters))));

    public static bool VerifyQuery(string clientSecret, IEnumerable<KeyValuePair<string, string>> parameters, string? hmac)
    {
        if (string.IsNullOrEmpty(hmac)) return false;
        var expected = SignQuery(clientSecret, parameters);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(hmac.ToLowerInvariant()));
    }

    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Where(p => p.Key is not ("hmac" or "signature"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Only "{name}.myshopify.com" is a shop, as Shopify's app security checks ask.</summary>
    public static bool IsValidShopDomain(string? shop) => shop is not null && ShopDomain().IsMatch(shop);

    // \z, not $: $ also matches before a final line break, which would let "x.myshopify.com\n" through into headers.
    [GeneratedRegex(@"\A[a-zA-Z0-9][a-zA-Z0-9\-]*\.myshopify\.com\z")]
    private static partial Regex ShopDomain();
}
