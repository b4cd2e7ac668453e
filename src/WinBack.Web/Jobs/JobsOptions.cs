using System.ComponentModel.DataAnnotations;

namespace WinBack.Web.Jobs;

/// <summary>Hangfire's servers and storage (section "Jobs"), checked at start.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Run a Hangfire server in this process. Several app servers may all run one; they share the PostgreSQL storage.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>How long a worker that vanished (a crash, a deploy) keeps its job before another worker takes it. The timeout
    /// slides while the job runs, so a long job (a large first sync) is never picked up a second time.</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often idle workers look for queued jobs when no notification woke them.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Idle workers wait on PostgreSQL's LISTEN/NOTIFY and pick a queued job up at once (webhook changes reach
    /// the rollups in tens of milliseconds, not up to a poll interval later). Turn off behind a PgBouncer in transaction
    /// mode, which cannot carry LISTEN.</summary>
    public bool EnableLongPolling { get; set; } = true;

    /// <summary>Workers that serve only the webhooks queue, in each process that runs a server.</summary>
    [Range(1, 100, ErrorMessage = "Jobs:WebhookWorkers is between 1 and 100.")]
    public int WebhookWorkers { get; set; } = 2;

    /// <summary>Workers that serve only Sheet runs (they share Google's quota of 60 writes a minute, so more would only wait).</summary>
    [Range(1, 100, ErrorMessage = "Jobs:SheetWorkers is between 1 and 100.")]
    public int SheetWorkers { get; set; } = 2;

    /// <summary>Workers that serve only a shop's work with Shopify: full syncs, reconciliations and tagging (each mostly waits
    /// for Shopify, its bulk export or the shop's cost bucket, for minutes at a large shop).</summary>
    [Range(1, 100, ErrorMessage = "Jobs:ShopifyWorkers is between 1 and 100.")]
    public int ShopifyWorkers { get; set; } = 4;

    /// <summary>Workers that serve only refits. A large shop's refit keeps both cores busy and holds several hundred MB
    /// (docs/BENCHMARKS.md): more at once in one process would only share the cores, and could run out of memory.</summary>
    [Range(1, 100, ErrorMessage = "Jobs:RefitWorkers is between 1 and 100.")]
    public int RefitWorkers { get; set; } = 1;

    /// <summary>The operator's dashboard at /ops/jobs, behind HTTP Basic with these credentials. Without a password it is not served at all.</summary>
    public string DashboardUser { get; set; } = "operator";

    public string? DashboardPassword { get; set; }

    /// <summary>Hangfire's database: ConnectionStrings:Jobs, else WinBack's own. Its own database keeps the job queue's churn
    /// (and, once WinBack's data is distributed by shop, Hangfire's tables) apart from the shop data.</summary>
    public string? ConnectionString { get; set; }
}
