using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Shops;

public static class ShopsExtensions
{
    /// <summary>The app's Shopify credentials (validated at start), token encryption (its certificate required outside Development), install and token refresh.</summary>
    public static IServiceCollection AddShopifyApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyAppOptions>()
            .Bind(configuration.GetSection(ShopifyAppOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<KeyRingOptions>()
            .Bind(configuration.GetSection(KeyRingOptions.SectionName))
            .Validate<IHostEnvironment>((keys, environment) => environment.IsDevelopment() || !string.IsNullOrEmpty(keys.Certificate) || keys.AllowUnencrypted,
                KeyRingOptions.MissingCertificate)
            .ValidateOnStart();
        services.AddDataProtection().SetApplicationName("WinBack").PersistKeysToDbContext<Data.WinBackDbContext>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeyRingEncryption>();
        services.AddSingleton<ShopTokenProtector>();
        services.AddScoped<ShopAccessTokens>();
        services.AddScoped<ShopInstaller>();
        services.AddSingleton<EmbeddedPage>();
        return services;
    }
}
