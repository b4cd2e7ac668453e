using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// What lost customers bought. Six inactive customers (last order in September) and six active ones (November); today
/// is 2026-11-22. Boots: four inactive buyers, no active one. Socks: five on each side. Sandals: one inactive buyer (too
/// few to say anything). Jacket: active buyers only. An active customer's cancelled order of boots does not count.
/// </summary>
public sealed class LostCustomerProductsTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("products", new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero)));
        var shop = new ReportShop(_app, "north.myshopify.com");
        for (var id = 1; id <= 6; id++) shop.Customer(id, $"Gone{id}", "G").Order(id, new DateTime(2026, 9, 1, 10, 0, 0), 50m);
        for (var id = 11; id <= 16; id++) shop.Customer(id, $"Here{id}", "H").Order(id, new DateTime(2026, 11, 15, 10, 0, 0), 50m);
        shop.Order(11, new DateTime(2026, 11, 16, 10, 0, 0), 80m, cancelled: true);
        _shop = await shop.SaveAsync();

        await using var db = _app.CreateDbContext();
        var orders = await db.Orders.Where(o => o.ShopId == _shop.ShopId).ToListAsync();
        long OrderOf(long customer, bool cancelled = false) => orders.Single(o => o.CustomerId == customer && (o.CancelledAt != null) == cancelled).Id;
        var nextId = 1;
        void Bought(long orderId, long productId, string title) =>
            db.OrderLineItems.Add(new OrderLineItem { ShopId = _shop.ShopId, OrderId = orderId, Id = nextId++, ProductId = productId, Title = title, Quantity = 1 });
        foreach (var c in new[] { 1, 2, 3, 4 }) Bought(OrderOf(c), 101, "Winter boots");
        foreach (var c in new[] { 1, 2, 3, 4, 5, 11, 12, 13, 14, 15 }) Bought(OrderOf(c), 102, "Wool socks");
        Bought(OrderOf(6), 103, "Sandals");
        foreach (var c in new[] { 11, 12, 13, 14, 15, 16 }) Bought(OrderOf(c), 104, "Rain jacket");
        Bought(OrderOf(11, cancelled: true), 101, "Winter boots");
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_products_lost_customers_bought_most_against_active_ones_come_first_with_their_counts()
    {
        var report = await _app.CreateClientFor(_shop.Domain).GetFromJsonAsync<ProductReflectionReport>("/api/reports/inactive/products");

        report!.InactiveCustomers.Should().Be(6);
        report.ActiveCustomers.Should().Be(6);
        report.Products.Select(p => (p.Title, p.InactiveCustomers, p.ActiveCustomers)).Should().Equal([("Winter boots", 4, 0)],
            "socks are as common among active customers (lift 0.97), sandals have one inactive buyer, jackets none");
        report.Products[0].Lift.Should().BeApproximately(4 / 6.0 / (1 / 7.0), 0.01);
        report.Products[0].InactiveShare.Should().BeApproximately(4 / 6.0, 1e-4);
        report.Products[0].ActiveShare.Should().Be(0);
    }
}
