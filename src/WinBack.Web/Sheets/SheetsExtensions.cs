using Microsoft.Extensions.Options;

namespace WinBack.Web.Sheets;

public static class SheetsExtensions
{
    /// <summary>The Sheets client: the service account (a named key file must be readable at start), its tokens (Google.Apis.Auth) and a typed HttpClient on Sheets:BaseUrl.</summary>
    public static IServiceCollection AddGoogleSheets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SheetsOptions>().Bind(configuration.GetSection(SheetsOptions.SectionName))
            .PostConfigure(o => o.LoadKeyFile())
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrEmpty(o.ServiceAccountKeyFile) || o.IsConfigured, SheetsOptions.UnreadableKeyFile)
            .Validate(o => o.RetryBaseDelay > TimeSpan.Zero && o.WriteWindow > TimeSpan.Zero, "Sheets:RetryBaseDelay and Sheets:WriteWindow are positive durations, like 00:00:02.")
            .ValidateOnStart();
        services.AddSingleton<SheetsAccessTokens>();
        services.AddScoped<SheetsWriteLimiter>();
        services.AddScoped<SheetSyncJob>();
        services.AddScoped<SheetSyncDispatcher>();
        services.AddHttpClient<GoogleSheetsClient>((provider, http) =>
        {
            http.BaseAddress = provider.GetRequiredService<IOptions<SheetsOptions>>().Value.BaseUrl;
            http.Timeout = TimeSpan.FromSeconds(100);
        });
        return services;
    }
}
