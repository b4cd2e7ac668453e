namespace WinBack.Web.Digests;

public static class DigestsExtensions
{
    /// <summary>The weekly digest: SMTP settings (section "Smtp"), the composer, the mailer, the job and its dispatcher.</summary>
    public static IServiceCollection AddDigests(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection(OutboxOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DeliveryOutbox>();
        services.AddScoped<DigestComposer>();
        services.AddScoped<DigestMailer>();
        services.AddScoped<DigestJob>();
        services.AddScoped<AlertJob>();
        services.AddScoped<ScheduledReportJob>();
        services.AddScoped<DigestDispatcher>();
        return services;
    }
}
