using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WinBack.Shopify;

public static class ShopifyServiceCollectionExtensions
{
    /// <summary>Registers the Admin API client (typed HttpClient), the shared cost bucket tracker and the bulk result reader.</summary>
    public static IServiceCollection AddShopifyAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyOptions>()
            .Bind(configuration.GetSection(ShopifyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CostBucketTracker>();
        services.AddHttpClient<ShopifyGraphQLClient>(http => http.Timeout = TimeSpan.FromSeconds(60));
        services.AddHttpClient<BulkResultReader>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient<ShopifyOAuthClient>(http => http.Timeout = TimeSpan.FromSeconds(30));
        return services;
    }
}
