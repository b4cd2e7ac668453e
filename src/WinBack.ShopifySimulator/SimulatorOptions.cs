namespace WinBack.ShopifySimulator;

/// <summary>The simulated app (its credentials and URLs) and Shopify's limits. Every limit is a setting so tests can shrink it.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    public string ApiKey { get; set; } = "winback-dev-api-key";
    public string ApiSecret { get; set; } = "winback-dev-api-secret";

    /// <summary>The app's URL, framed by the admin page (application_url in shopify.app.toml).</summary>
    public Uri? AppUrl { get; set; }

    /// <summary>App-specific webhook subscriptions, as [webhooks] in shopify.app.toml: every installed shop gets them.</summary>
    public Uri? AppWebhookUrl { get; set; }
    public List<string> AppWebhookTopics { get; set; } = [];
    public Uri? ComplianceWebhookUrl { get; set; }

    public double BucketSize { get; set; } = 2000;
    public double RestoreRatePerSecond { get; set; } = 100;
    public int MaxQueryCost { get; set; } = 1000;

    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(5);
    public int WebhookMaxRetries { get; set; } = 8;
    /// <summary>Retry n waits base × 2^n: with one minute, 8 retries span about 4 hours as Shopify's do.</summary>
    public TimeSpan WebhookRetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan BulkResultLifetime { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan OrderWindowWithoutReadAllOrders { get; set; } = TimeSpan.FromDays(60);

    /// <summary>Where the app reaches this simulator (bulk result URLs point here): the listening address when unset, which a
    /// container's "http://[::]:8080" is not.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Folder for bulk JSONL results; a temp folder when empty.</summary>
    public string? BulkResultFolder { get; set; }
}
