namespace WinBack.Web.Predictions;

public static class PredictionsExtensions
{
    /// <summary>Per-customer predictions: the weekly refit, the job behind it and the "About these numbers" API.</summary>
    public static IServiceCollection AddPredictions(this IServiceCollection services)
    {
        services.AddScoped<CustomerHistories>();
        services.AddScoped<CustomerRescoring>();
        services.AddScoped<CustomerPredictionPartitions>();
        services.AddScoped<CustomerPredictionJob>();
        services.AddScoped<CustomerPredictionDispatcher>();
        return services;
    }
}
