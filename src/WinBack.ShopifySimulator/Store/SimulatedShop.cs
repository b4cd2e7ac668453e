namespace WinBack.ShopifySimulator.Store;

/// <summary>One store on the simulated platform: its data, the app's installation on it, and its API bucket.
/// Every read and write of the collections happens under <see cref="Sync"/>.</summary>
public sealed class SimulatedShop(string domain, long shopId, CostBucket bucket)
{
    private readonly Dictionary<long, SimulatedCustomer> _customers = [];
    private readonly List<SimulatedCustomer> _customersById = [];
    private readonly Dictionary<long, SimulatedOrder> _orders = [];
    private readonly List<SimulatedOrder> _ordersById = [];

    public object Sync { get; } = new();
    public string Domain { get; } = domain;
    public long ShopId { get; } = shopId;
    public string Name { get; set; } = domain.Split('.')[0];
    public string CurrencyCode { get; set; } = "USD";
    public string IanaTimezone { get; set; } = "America/New_York";
    public CostBucket Bucket { get; } = bucket;
    public AppInstallation? Installation { get; set; }
    public List<SimulatedWebhookSubscription> WebhookSubscriptions { get; } = [];
    public Dictionary<long, SimulatedBulkOperation> BulkOperations { get; } = [];
    public int NextOrderNumber { get; set; } = 1001;

    /// <summary>HTTP answers queued for the next API calls (e.g. 429 with Retry-After, 503), to exercise clients' retries.</summary>
    public Queue<(int Status, string? RetryAfter)> InjectedFailures { get; } = new();

    /// <summary>Customers in id order (ids grow, so this is creation order).</summary>
    public IReadOnlyList<SimulatedCustomer> Customers => _customersById;
    public IReadOnlyList<SimulatedOrder> Orders => _ordersById;

    public SimulatedCustomer? FindCustomer(long id) => _customers.GetValueOrDefault(id);
    public SimulatedOrder? FindOrder(long id) => _orders.GetValueOrDefault(id);

    public void Add(SimulatedCustomer customer)
    {
        _customers.Add(customer.Id, customer);
        InsertSorted(_customersById, customer, c => c.Id);
    }

    public void Add(SimulatedOrder order)
    {
        _orders.Add(order.Id, order);
        InsertSorted(_ordersById, order, o => o.Id);
    }

    public bool Remove(SimulatedCustomer customer) => _customers.Remove(customer.Id) && _customersById.Remove(customer);
    public bool Remove(SimulatedOrder order) => _orders.Remove(order.Id) && _ordersById.Remove(order);

    public IEnumerable<SimulatedOrder> OrdersOf(long customerId) => _ordersById.Where(o => o.CustomerId == customerId);

    public void EnsureCapacity(int customers, int orders)
    {
        _customers.EnsureCapacity(customers);
        _customersById.EnsureCapacity(customers);
        _orders.EnsureCapacity(orders);
        _ordersById.EnsureCapacity(orders);
    }

    private static void InsertSorted<T>(List<T> list, T item, Func<T, long> id)
    {
        if (list.Count == 0 || id(list[^1]) < id(item))
        {
            list.Add(item);
            return;
        }
        var index = list.FindIndex(x => id(x) > id(item));
        list.Insert(index, item);
    }
}

/// <summary>The app installed on a shop: granted scopes, protected data approval, and its tokens.</summary>
public sealed class AppInstallation
{
    public required HashSet<string> Scopes { get; init; }
    /// <summary>Level 2 protected customer data (name, email, phone) approved for the app.</summary>
    public bool ProtectedCustomerData { get; set; } = true;
    public DateTimeOffset InstalledAt { get; init; }
    public DateTimeOffset? UninstalledAt { get; set; }
    public bool IsInstalled => UninstalledAt is null;

    /// <summary>Active access tokens and when each expires (null: a legacy non-expiring token).</summary>
    public Dictionary<string, DateTimeOffset?> AccessTokens { get; } = [];
    public IssuedRefreshToken? RefreshToken { get; set; }
    /// <summary>The refresh token that was rotated out; still usable until its successor is used (retry window).</summary>
    public IssuedRefreshToken? PreviousRefreshToken { get; set; }

    public bool HasScope(string scope) =>
        Scopes.Contains(scope) || (scope.StartsWith("read_", StringComparison.Ordinal) && Scopes.Contains("write_" + scope[5..]));
}

public sealed record IssuedRefreshToken(string Token, DateTimeOffset ExpiresAt);

public sealed class SimulatedBulkOperation
{
    public required long Id { get; init; }
    public required string Query { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string Status { get; set; } = "CREATED";
    public string? ErrorCode { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public long ObjectCount { get; set; }
    public long RootObjectCount { get; set; }
    public long FileSize { get; set; }
    public string? FilePath { get; set; }
    public CancellationTokenSource Cancellation { get; } = new();
    public string Gid => $"gid://shopify/BulkOperation/{Id}";
}
