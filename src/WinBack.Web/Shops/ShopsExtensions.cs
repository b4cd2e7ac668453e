using Microsoft.AspNetCore.DataProtection;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Shops;

public static class ShopsExtensions
{
    /// <summary>The app's Shopify credentials (validated at start), token encryption, install and the webhook job.</summary>
    public static IServiceCollection AddShopifyApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyAppOptions>()
            .Bind(configuration.GetSection(ShopifyAppOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddDataProtection().SetApplicationName("WinBack").PersistKeysToDbContext<Data.WinBackDbContext>();
        services.AddSingleton<ShopTokenProtector>();
        services.AddScoped<ShopAccessTokens>();
        services.AddScoped<ShopInstaller>();
        services.AddWebhookProcessing();
        services.AddScoped<Privacy.PrivacyRequests>();
        services.AddScoped<Sync.InitialSyncJob>();
        services.AddScoped<Sync.BulkImporter>();
        services.AddScoped<Sync.CustomerRollups>();
        services.AddScoped<Sync.SyncWebhooks>();
        services.AddScoped<Sync.SyncWriter>();
        services.AddScoped<Sync.ReconciliationJob>();
        services.AddScoped<Sync.ReconciliationDispatcher>();
        return services;
    }
}
