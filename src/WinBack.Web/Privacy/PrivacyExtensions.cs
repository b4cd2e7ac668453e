namespace WinBack.Web.Privacy;

public static class PrivacyExtensions
{
    /// <summary>Shopify's privacy requests (customer data, redaction) and the data-retention sweep.</summary>
    public static IServiceCollection AddPrivacyRequests(this IServiceCollection services) =>
        services.AddScoped<PrivacyRequests>().AddScoped<DataRetention>().AddScoped<DataRetentionDispatcher>();
}
