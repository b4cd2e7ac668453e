namespace WinBack.Web.Settings;

public static class SettingsExtensions
{
    /// <summary>The report's settings: the threshold suggestion computed from the shop's own repeat purchases.</summary>
    public static IServiceCollection AddReportSettings(this IServiceCollection services) => services.AddScoped<ThresholdSuggestions>();
}
