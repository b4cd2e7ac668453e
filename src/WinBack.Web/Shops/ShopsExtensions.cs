using WinBack.Web.Webhooks;

namespace WinBack.Web.Shops;

public static class ShopsExtensions
{
    /// <summary>The app's Shopify credentials (validated at start) and the webhook job.</summary>
    public static IServiceCollection AddShopifyApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyAppOptions>()
            .Bind(configuration.GetSection(ShopifyAppOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<WebhookProcessingJob>();
        return services;
    }
}
