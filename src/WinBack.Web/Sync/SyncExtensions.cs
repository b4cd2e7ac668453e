namespace WinBack.Web.Sync;

public static class SyncExtensions
{
    /// <summary>The full sync, the incremental writes from webhooks, reconciliation and rollups.</summary>
    public static IServiceCollection AddOrderSync(this IServiceCollection services)
    {
        services.AddScoped<InitialSyncJob>();
        services.AddScoped<BulkImporter>();
        services.AddScoped<CustomerRollups>();
        services.AddScoped<SyncWebhooks>();
        services.AddScoped<SyncWriter>();
        services.AddScoped<ReconciliationJob>();
        services.AddScoped<ReconciliationDispatcher>();
        return services;
    }
}
