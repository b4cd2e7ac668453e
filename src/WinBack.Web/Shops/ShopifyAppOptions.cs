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
}
