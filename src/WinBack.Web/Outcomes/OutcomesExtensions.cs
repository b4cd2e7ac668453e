namespace WinBack.Web.Outcomes;

public static class OutcomesExtensions
{
    /// <summary>Win-back outcomes: who was listed in a digest or on a Sheet, and who came back.</summary>
    public static IServiceCollection AddWinBackOutcomes(this IServiceCollection services) => services.AddScoped<WinBackOutcomes>();
}
