namespace WinBack.Web.Outcomes;

public static class OutcomesExtensions
{
    /// <summary>Win-back outcomes: who was listed (or held out for the control group), who came back, and the lift.</summary>
    public static IServiceCollection AddWinBackOutcomes(this IServiceCollection services) =>
        services.AddScoped<WinBackOutcomes>().AddScoped<CameBackList>();
}
