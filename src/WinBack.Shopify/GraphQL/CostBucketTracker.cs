using System.Collections.Concurrent;

namespace WinBack.Shopify;

/// <summary>
/// Remembers each shop's cost bucket as Shopify last reported it, and the cost each query last asked for,
/// so a call the bucket cannot afford waits for the bucket to refill instead of being throttled.
/// One instance per process: every client for a shop shares one view of its bucket.
/// </summary>
public sealed class CostBucketTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Observation> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, double> _requestedCostByQuery = new(StringComparer.Ordinal);

    private sealed record Observation(ThrottleStatus Status, DateTimeOffset At);

    public void Observe(string shopDomain, string query, QueryCost cost)
    {
        _buckets[shopDomain] = new Observation(cost.ThrottleStatus, time.GetUtcNow());
        _requestedCostByQuery[query] = cost.RequestedQueryCost;
    }

    /// <summary>Points the shop's bucket holds now, by Shopify's last report plus what it restored since.</summary>
    public double? EstimatedAvailable(string shopDomain)
    {
        if (!_buckets.TryGetValue(shopDomain, out var seen)) return null;
        var elapsed = (time.GetUtcNow() - seen.At).TotalSeconds;
        return Math.Min(seen.Status.MaximumAvailable, seen.Status.CurrentlyAvailable + elapsed * seen.Status.RestoreRate);
    }

    /// <summary>How long to wait before sending <paramref name="query"/> so the bucket can pay for it.</summary>
    public TimeSpan WaitBefore(string shopDomain, string query)
    {
        if (!_buckets.TryGetValue(shopDomain, out var seen) || !_requestedCostByQuery.TryGetValue(query, out var cost))
            return TimeSpan.Zero;
        var available = EstimatedAvailable(shopDomain) ?? seen.Status.MaximumAvailable;
        return WaitFor(cost, available, seen.Status.RestoreRate);
    }

    public static TimeSpan WaitFor(double cost, double available, double restoreRate) =>
        available >= cost || restoreRate <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((cost - available) / restoreRate);
}
