using System.Globalization;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>How Shopify serialises its scalars: Decimal and UnsignedInt64 as strings, DateTime as ISO-8601 UTC with Z.</summary>
public static class ShopifyScalars
{
    public static string Decimal(decimal amount) => amount.ToString("0.0#########", CultureInfo.InvariantCulture);
    public static string UnsignedInt64(long value) => value.ToString(CultureInfo.InvariantCulture);
    public static string DateTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    public static string? DateTime(DateTimeOffset? value) => value is null ? null : DateTime(value.Value);
    public static string Gid(string type, long id) => $"gid://shopify/{type}/{id}";

    public static long ParseGid(string? gid, string expectedType)
    {
        var prefix = $"gid://shopify/{expectedType}/";
        if (gid is null || !gid.StartsWith(prefix, StringComparison.Ordinal) || !long.TryParse(gid.AsSpan(prefix.Length), out var id))
            throw new GraphQLRequestException($"Invalid global id '{gid}'", "INVALID");
        return id;
    }
}
