using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Digests;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Operations;

/// <summary>
/// WinBack's own metrics (meter "WinBack"), exported with ASP.NET Core's, HttpClient's and Npgsql's on /metrics. Labels
/// are kinds and outcomes only, never a shop: thousands of shops as label values would make thousands of series per metric.
/// </summary>
public sealed class WinBackMetrics
{
    public const string MeterName = "WinBack";

    /// <summary>The oldest pending delivery is read from the database at most this often, however often it is scraped.</summary>
    private static readonly TimeSpan BacklogReadEvery = TimeSpan.FromSeconds(5);

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<WinBackMetrics> _logger;
    private readonly Counter<long> _webhooksReceived;
    private readonly Counter<long> _webhooksApplied;
    private readonly Counter<long> _webhooksQuarantined;
    private readonly Counter<long> _syncObjects;
    private readonly Counter<long> _syncRuns;
    private readonly Counter<long> _emails;
    private readonly Counter<long> _sheetWrites;
    private readonly Histogram<double> _sheetQuotaWaits;
    private readonly Histogram<double> _refits;
    private readonly Lock _backlogLock = new();
    private long? _backlogReadAt;
    private double? _oldestPendingSeconds;

    public WinBackMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider time, ILogger<WinBackMetrics> logger)
    {
        (_scopes, _time, _logger) = (scopes, time, logger);
        var meter = meters.Create(MeterName);
        _webhooksReceived = meter.CreateCounter<long>("winback.webhooks.received", "{delivery}", "Webhook deliveries recorded (a redelivery of the same webhook is not counted again), by topic.");
        _webhooksApplied = meter.CreateCounter<long>("winback.webhooks.applied", "{delivery}", "Webhook deliveries applied to the shop's data, by topic.");
        _webhooksQuarantined = meter.CreateCounter<long>("winback.webhooks.quarantined", "{delivery}", "Webhook deliveries set aside as Failed for the operator to replay, by topic.");
        meter.CreateObservableGauge("winback.webhooks.oldest_pending_age", OldestPendingAge, "s", "Age of the oldest webhook delivery not applied yet (0 when none waits).");
        _syncObjects = meter.CreateCounter<long>("winback.sync.objects", "{object}", "Customers and orders written by full syncs, by resource, as the import goes.");
        _syncRuns = meter.CreateCounter<long>("winback.sync.runs", "{run}", "Full syncs and reconciliations that ended, by kind and outcome (completed, failed).");
        _emails = meter.CreateCounter<long>("winback.emails", "{email}", "Digests, alerts and scheduled reports, by kind and outcome (sent, failed: an attempt the mail server did not accept).");
        _sheetWrites = meter.CreateCounter<long>("winback.sheets.writes", "{request}", "Write requests to Google Sheets (each took a slot of the shared quota).");
        _sheetQuotaWaits = meter.CreateHistogram<double>("winback.sheets.quota_wait", "s", "Waits for Google's shared write quota, by outcome (waited in the worker, rescheduled).");
        _refits = meter.CreateHistogram<double>("winback.predictions.refit.duration", "s", "Duration of a shop's prediction refit (read, fit, score, write).");
    }

    public void WebhookReceived(string topic) => _webhooksReceived.Add(1, Tag("topic", topic));

    public void WebhookApplied(string topic) => _webhooksApplied.Add(1, Tag("topic", topic));

    public void WebhookQuarantined(string topic) => _webhooksQuarantined.Add(1, Tag("topic", topic));

    public void SyncObjectsWritten(string resource, long count) => _syncObjects.Add(count, Tag("resource", resource));

    public void SyncEnded(string kind, bool completed) => _syncRuns.Add(1, Tag("kind", kind), Tag("outcome", completed ? "completed" : "failed"));

    public void EmailSent(string kind) => _emails.Add(1, Tag("kind", EmailKind(kind)), Tag("outcome", "sent"));

    public void EmailFailed(string kind) => _emails.Add(1, Tag("kind", EmailKind(kind)), Tag("outcome", "failed"));

    public void SheetWrite() => _sheetWrites.Add(1);

    public void SheetQuotaWait(TimeSpan wait, bool rescheduled) => _sheetQuotaWaits.Record(wait.TotalSeconds, Tag("outcome", rescheduled ? "rescheduled" : "waited"));

    public void Refitted(TimeSpan duration) => _refits.Record(duration.TotalSeconds);

    /// <summary>A scheduled report's kind names its report; the label keeps only "scheduled-report".</summary>
    private static string EmailKind(string kind) => DigestDelivery.ReportIdOf(kind) is null ? kind : "scheduled-report";

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private IEnumerable<Measurement<double>> OldestPendingAge()
    {
        lock (_backlogLock)
        {
            if (_backlogReadAt is not { } readAt || Stopwatch.GetElapsedTime(readAt) >= BacklogReadEvery)
            {
                _backlogReadAt = Stopwatch.GetTimestamp();
                _oldestPendingSeconds = ReadOldestPendingSeconds();
            }
            return _oldestPendingSeconds is { } seconds ? [new Measurement<double>(seconds)] : [];
        }
    }

    /// <returns>Null when the database cannot say (the gauge then reports nothing rather than a wrong 0).</returns>
    private double? ReadOldestPendingSeconds()
    {
        try
        {
            using var scope = _scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<WinBackDbContext>();
            // The partial index of pending deliveries (ix_webhook_receipts_pending) answers this from its first entry.
            var oldest = db.WebhookReceipts.Where(r => r.Status == WebhookReceiptStatus.Received).Min(r => (DateTimeOffset?)r.ReceivedAt);
            return oldest is { } at ? Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds) : 0;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            _logger.LogWarning("The webhook backlog could not be read for the metrics: {Reason}", e.Message);
            return null;
        }
    }
}
