namespace WinBack.ShopifySimulator.Store;

/// <summary>Shopify's leaky bucket of query cost points for one app and shop.</summary>
public sealed class CostBucket(double maximum, double restoreRate, DateTimeOffset now)
{
    private double _available = maximum;
    private DateTimeOffset _updatedAt = now;

    public double Maximum { get; set; } = maximum;
    public double RestoreRate { get; set; } = restoreRate;

    public double Available(DateTimeOffset now)
    {
        Restore(now);
        return _available;
    }

    /// <summary>Deducts the requested cost up front, as Shopify does; false when the bucket cannot pay it.</summary>
    public bool TryTake(double cost, DateTimeOffset now)
    {
        Restore(now);
        if (_available < cost) return false;
        _available -= cost;
        return true;
    }

    public void Refund(double points) => _available = Math.Min(Maximum, _available + points);

    /// <summary>Empties the bucket down to <paramref name="remaining"/> points (tests use it to provoke throttling).</summary>
    public void Drain(double remaining, DateTimeOffset now)
    {
        Restore(now);
        _available = remaining;
    }

    private void Restore(DateTimeOffset now)
    {
        var elapsed = (now - _updatedAt).TotalSeconds;
        if (elapsed > 0) _available = Math.Min(Maximum, _available + elapsed * RestoreRate);
        _updatedAt = now;
    }
}
