using Microsoft.AspNetCore.DataProtection;

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
        var keyRing = services.AddDataProtection().SetApplicationName("WinBack").PersistKeysToDbContext<Data.WinBackDbContext>();
        if (KeyRingOptions.From(configuration).Load() is { } certificate)
            keyRing.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        services.AddSingleton<ShopTokenProtector>();
        services.AddScoped<ShopAccessTokens>();
        services.AddScoped<ShopInstaller>();
        services.AddSingleton<EmbeddedPage>();
        return services;
    }
}
