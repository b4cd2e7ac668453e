namespace WinBack.Web.Webhooks;

public static class WebhooksExtensions
{
    /// <summary>Processing of recorded deliveries: the job, its batch, and the trigger that queues it.</summary>
    public static IServiceCollection AddWebhookProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<WebhookBodyRetentionJob>();
        services.AddScoped<WebhookProcessingJob>();
        services.AddScoped<WebhookBatch>();
        services.AddSingleton<WebhookProcessingTrigger>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookProcessingTrigger>());
        return services;
    }
}
