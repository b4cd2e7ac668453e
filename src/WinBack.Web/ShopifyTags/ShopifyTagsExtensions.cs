namespace WinBack.Web.ShopifyTags;

public static class ShopifyTagsExtensions
{
    /// <summary>Status in Shopify itself: one WinBack tag per inactive customer, off by default.</summary>
    public static IServiceCollection AddShopifyTags(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyTagsOptions>().Bind(configuration.GetSection(ShopifyTagsOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        return services.AddScoped<CustomerTagJob>().AddScoped<CustomerTagDispatcher>();
    }
}
