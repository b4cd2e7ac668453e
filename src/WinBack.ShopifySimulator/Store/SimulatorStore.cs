using System.Collections.Concurrent;

namespace WinBack.ShopifySimulator.Store;

/// <summary>All simulated shops, by myshopify domain, and the id sequence they share.</summary>
public sealed class SimulatorStore(TimeProvider time, Microsoft.Extensions.Options.IOptions<SimulatorOptions> options)
{
    private readonly ConcurrentDictionary<string, SimulatedShop> _shops = new(StringComparer.OrdinalIgnoreCase);
    private long _nextId = 7_100_000_000_000;

    /// <summary>Codes handed out by /admin/oauth/authorize, each good for one exchange within ten minutes.</summary>
    public ConcurrentDictionary<string, AuthorizationCode> AuthorizationCodes { get; } = new(StringComparer.Ordinal);

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Reserves a block of ids at once (the generator fills large shops without contention).</summary>
    public long ReserveIds(int count) => Interlocked.Add(ref _nextId, count) - count + 1;

    public SimulatedShop? Find(string domain) => _shops.GetValueOrDefault(domain);

    public IReadOnlyCollection<SimulatedShop> Shops => (IReadOnlyCollection<SimulatedShop>)_shops.Values;

    public SimulatedShop GetOrCreate(string domain) => _shops.GetOrAdd(domain, d =>
        new SimulatedShop(d, NextId(), new CostBucket(options.Value.BucketSize, options.Value.RestoreRatePerSecond, time.GetUtcNow())));

    public bool Delete(string domain) => _shops.TryRemove(domain, out _);
}

public sealed record AuthorizationCode(string Shop, DateTimeOffset ExpiresAt);
