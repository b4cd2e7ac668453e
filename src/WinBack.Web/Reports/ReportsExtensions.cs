namespace WinBack.Web.Reports;

public static class ReportsExtensions
{
    /// <summary>The reports: the inactive, at-risk and all-customers lists, the RFM overview, cached figures, saved views and the weekly retention snapshots.</summary>
    public static IServiceCollection AddReports(this IServiceCollection services)
    {
        services.AddScoped<ReportScopes>();
        services.AddScoped<InactiveCustomersQuery>();
        services.AddScoped<ReportSummaries>();
        services.AddScoped<LostCustomerProducts>();
        services.AddScoped<RfmOverviews>();
        services.AddScoped<RetentionSeries>();
        services.AddScoped<DataWindows>();
        services.AddScoped<RetentionSnapshotJob>();
        services.AddScoped<RetentionSnapshotDispatcher>();
        return services;
    }
}
