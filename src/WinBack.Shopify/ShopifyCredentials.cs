namespace WinBack.Shopify;

/// <summary>A shop and the offline access token WinBack holds for it.</summary>
public sealed record ShopifyCredentials(string ShopDomain, string AccessToken)
{
    // The token must never reach a log line through a record's generated ToString.
    public override string ToString() => ShopDomain;
}
