namespace WinBack.Web.Reports;

public static class ReportsExtensions
{
    /// <summary>The Inactive Customers report: queries, cached figures, saved views and the weekly retention snapshots.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddScoped<ReportScopes>();
        services.AddScoped<InactiveCustomersQuery>();
        services.AddScoped<ReportSummaries>();
        services.AddScoped<LostCustomerProducts>();
        services.AddScoped<RetentionSeries>();
        services.AddScoped<DataWindows>();
        services.AddScoped<RetentionSnapshotJob>();
        services.AddScoped<RetentionSnapshotDispatcher>();
        return services;
    }
}
