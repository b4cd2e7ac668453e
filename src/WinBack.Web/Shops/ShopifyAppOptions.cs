using System.ComponentModel.DataAnnotations;

namespace WinBack.Web.Shops;

/// <summary>WinBack's own credentials as a Shopify app (client id and secret from the Partner Dashboard).</summary>
public sealed class ShopifyAppOptions
{
    public const string SectionName = "ShopifyApp";

    [Required(ErrorMessage = "Set ShopifyApp:ApiKey to the app's client id from the Shopify Partner Dashboard.")]
    public string ApiKey { get; set; } = "";

    [Required(ErrorMessage = "Set ShopifyApp:ApiSecret to the app's client secret from the Shopify Partner Dashboard.")]
    public string ApiSecret { get; set; } = "";

    /// <summary>Where WinBack is reached (application_url in shopify.app.toml): webhooks and OAuth redirects point here.</summary>
    [Required(ErrorMessage = "Set ShopifyApp:AppUrl to the public https address of WinBack, e.g. https://winback.example.com.")]
    public Uri? AppUrl { get; set; }

    /// <summary>Access scopes asked for in the authorization-code flow (the managed install takes them from shopify.app.toml).</summary>
    public string Scopes { get; set; } = "read_customers,read_orders,read_all_orders";

    /// <summary>App Bridge's script: Shopify's CDN in production, the simulator's stand-in locally.</summary>
    public Uri AppBridgeUrl { get; set; } = new("https://cdn.shopify.com/shopifycloud/app-bridge.js");

    /// <summary>Origins besides Shopify admin allowed to frame the app (space separated): the simulator's, for local runs and tests.</summary>
    public string? AdminFrameOrigins { get; set; }

    public Uri AppUrlFor(string path) => new(AppUrl!, path);

    /// <summary>WinBack inside a shop's Shopify admin: the address emails link to (add the report's filter as its query).</summary>
    public string AdminReportUrl(string shopDomain) => $"https://admin.shopify.com/store/{shopDomain.Split('.')[0]}/apps/{ApiKey}";
}
