using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Shops;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// A shop seeded with customers and orders straight into the tables, rollups then computed by the app's own
/// <see cref="CustomerRollups"/>: the report tests start from orders, as the definitions in PRODUCT.md do.
/// </summary>
internal sealed class ReportShop(WinBackApp app, string domain, string timezone = "America/New_York", string currency = "USD")
{
    private readonly List<Customer> _customers = [];
    private readonly List<Order> _orders = [];
    private long _nextOrderId = 1000;

    public string Domain => domain;
    public long ShopId { get; private set; }

    public ReportShop Customer(long id, string? first, string? last, string? email = null, DateTimeOffset? createdAt = null, string? marketing = null)
    {
        _customers.Add(new Customer
        {
            Id = id, FirstName = first, LastName = last, Email = email ?? $"{(first ?? "c").ToLowerInvariant()}{id}@example.com",
            EmailMarketingState = marketing, CreatedAt = createdAt ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });
        return this;
    }

    /// <summary>An order placed at a local time of the shop (the way a merchant reads the order list).</summary>
    public ReportShop Order(long? customerId, DateTime localTime, decimal total, bool cancelled = false, bool test = false)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timezone);
        var processedAt = new DateTimeOffset(localTime, zone.GetUtcOffset(localTime)).ToUniversalTime();
        var id = _nextOrderId++;
        _orders.Add(new Order
        {
            Id = id, CustomerId = customerId, Name = $"#{id}", ProcessedAt = processedAt, UpdatedAt = processedAt,
            CancelledAt = cancelled ? processedAt.AddDays(1) : null, Test = test, CurrentTotal = total, CurrencyCode = currency,
        });
        return this;
    }

    public async Task<ReportShop> SaveAsync()
    {
        await using (var db = app.CreateDbContext())
        {
            var shop = new Shop { Domain = domain, Name = domain.Split('.')[0], CurrencyCode = currency, IanaTimezone = timezone, InstalledAt = DateTimeOffset.UnixEpoch };
            db.Shops.Add(shop);
            await db.SaveChangesAsync();
            ShopId = shop.Id;
            foreach (var c in _customers) c.ShopId = shop.Id;
            foreach (var o in _orders) o.ShopId = shop.Id;
            db.Customers.AddRange(_customers);
            db.Orders.AddRange(_orders);
            await db.SaveChangesAsync();
        }
        await RecomputeAsync();
        return this;
    }

    /// <summary>
    /// The shop the digest tests read (today Monday 2026-11-23 in New York): Alice and Bob crossed four weeks this week,
    /// Carol and Dan are long gone, Grace is the big spender at risk, Hal ordered three days ago.
    /// </summary>
    public static Task<ReportShop> DigestNorthAsync(WinBackApp app) =>
        new ReportShop(app, "north.myshopify.com")
            .Customer(1, "Alice", "Archer").Order(1, new DateTime(2026, 10, 25, 23, 30, 0), 50m)
            .Customer(2, "Bob", "Baker").Order(2, new DateTime(2026, 10, 26, 0, 30, 0), 80m)
            .Customer(3, "Carol", "Cooper").Order(3, new DateTime(2026, 8, 1, 12, 0, 0), 100m)
            .Customer(4, "Dan", "Dyer").Order(4, new DateTime(2026, 9, 1, 9, 0, 0), 120m)
            .Customer(7, "Grace", "Green").Order(7, new DateTime(2026, 9, 1, 9, 0, 0), 2000m).Order(7, new DateTime(2026, 10, 1, 9, 0, 0), 3000m)
            .Customer(8, "Hal", "Hughes").Order(8, new DateTime(2026, 11, 20, 9, 0, 0), 30m)
            .SaveAsync();

    public async Task RecomputeAsync()
    {
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CustomerRollups>().RecomputeShopAsync(ShopId, CancellationToken.None);
    }
}
