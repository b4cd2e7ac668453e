namespace WinBack.Shopify;

public sealed record ShopInfo(string Name, string MyshopifyDomain, string CurrencyCode, string IanaTimezone);

public sealed record CustomerEmailAddress(string? EmailAddress, string? MarketingState);

public sealed record CustomerNode(
    string Id,
    string? FirstName,
    string? LastName,
    CustomerEmailAddress? DefaultEmailAddress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record CustomerRef(string Id);

public sealed record OrderNode(
    string Id,
    string Name,
    DateTimeOffset ProcessedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CancelledAt,
    bool Test,
    CustomerRef? Customer,
    MoneyBag CurrentTotalPriceSet);

public enum BulkOperationStatus { Created, Running, Completed, Failed, Canceling, Canceled, Expired }

public sealed record BulkOperation(
    string Id,
    BulkOperationStatus Status,
    string? ErrorCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    long ObjectCount,
    long? RootObjectCount,
    long? FileSize,
    string? Url,
    string? PartialDataUrl);

/// <summary>Shopify's global ids ("gid://shopify/Customer/123") and the numeric ids webhooks carry.</summary>
public static class ShopifyGid
{
    public static long ToLong(string gid)
    {
        var slash = gid.LastIndexOf('/');
        var tail = gid.AsSpan(slash + 1);
        var query = tail.IndexOf('?');
        return long.Parse(query < 0 ? tail : tail[..query], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string From(string type, long id) => $"gid://shopify/{type}/{id}";
}
