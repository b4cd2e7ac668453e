using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// Applies order and customer webhooks to the synced copy, idempotently and in any order: a row is only replaced by a
/// payload at least as new (updated_at), and the rollups of every customer an order touched (before and after) are
/// recomputed.
/// </summary>
public sealed class SyncWebhooks(WinBackDbContext db, CustomerRollups rollups)
{
    public static bool Handles(string topic) => topic is "orders/create" or "orders/updated" or "orders/cancelled" or "orders/delete"
        or "customers/create" or "customers/update" or "customers/delete";

    public async Task ApplyAsync(string shopDomain, string topic, JsonElement payload, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.Where(s => s.Domain == shopDomain && s.UninstalledAt == null)
            .Select(s => new { s.Id, s.CurrencyCode }).SingleOrDefaultAsync(cancellationToken);
        if (shop is null) return;

        switch (topic)
        {
            case "orders/create" or "orders/updated" or "orders/cancelled":
                await UpsertOrderAsync(shop.Id, shop.CurrencyCode, payload, cancellationToken);
                break;
            case "orders/delete":
                await DeleteOrderAsync(shop.Id, payload.GetProperty("id").GetInt64(), cancellationToken);
                break;
            case "customers/create" or "customers/update":
                await UpsertCustomerAsync(shop.Id, payload, cancellationToken);
                break;
            case "customers/delete":
                await DeleteCustomerAsync(shop.Id, payload.GetProperty("id").GetInt64(), cancellationToken);
                break;
        }
    }

    private async Task UpsertOrderAsync(long shopId, string? shopCurrency, JsonElement order, CancellationToken cancellationToken)
    {
        var id = order.GetProperty("id").GetInt64();
        var money = order.GetProperty("current_total_price_set").GetProperty("shop_money");
        var currency = money.GetProperty("currency_code").GetString()!;
        if (shopCurrency is not null && currency != shopCurrency)
            throw new FormatException($"The order total is in {currency}, not the shop currency {shopCurrency}.");
        var total = decimal.Parse(money.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture);
        long? customerId = null;
        if (order.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object)
        {
            customerId = customer.GetProperty("id").GetInt64();
            await UpsertCustomerAsync(shopId, customer, cancellationToken, onlyIfMissing: true);
        }

        var previousCustomer = await db.Orders.Where(o => o.ShopId == shopId && o.Id == id).Select(o => o.CustomerId).SingleOrDefaultAsync(cancellationToken);
        var name = order.GetProperty("name").GetString();
        var processedAt = Time(order, "processed_at") ?? Time(order, "created_at")!.Value;
        var updatedAt = Time(order, "updated_at")!.Value;
        var cancelledAt = Time(order, "cancelled_at");
        var test = order.TryGetProperty("test", out var t) && t.GetBoolean();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
            VALUES ({shopId}, {id}, {customerId}, {name}, {processedAt}, {updatedAt}, {cancelledAt}, {test}, {total}, {currency})
            ON CONFLICT (shop_id, id) DO UPDATE SET
                customer_id = excluded.customer_id, name = excluded.name, processed_at = excluded.processed_at, updated_at = excluded.updated_at,
                cancelled_at = excluded.cancelled_at, test = excluded.test, current_total = excluded.current_total, currency_code = excluded.currency_code
            WHERE orders.updated_at <= excluded.updated_at
            """, cancellationToken);
        await rollups.RecomputeAsync(shopId, new[] { previousCustomer, customerId }.OfType<long>().Distinct().ToList(), cancellationToken);
    }

    private async Task DeleteOrderAsync(long shopId, long id, CancellationToken cancellationToken)
    {
        var customerId = await db.Orders.Where(o => o.ShopId == shopId && o.Id == id).Select(o => o.CustomerId).SingleOrDefaultAsync(cancellationToken);
        await db.Orders.Where(o => o.ShopId == shopId && o.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (customerId is { } customer) await rollups.RecomputeAsync(shopId, [customer], cancellationToken);
    }

    private async Task UpsertCustomerAsync(long shopId, JsonElement customer, CancellationToken cancellationToken, bool onlyIfMissing = false)
    {
        var id = customer.GetProperty("id").GetInt64();
        var firstName = String(customer, "first_name");
        var lastName = String(customer, "last_name");
        var email = String(customer, "email");
        var updatedAt = Time(customer, "updated_at") ?? DateTimeOffset.MinValue;
        var createdAt = Time(customer, "created_at") ?? updatedAt;
        if (onlyIfMissing)
        {
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO customers (shop_id, id, first_name, last_name, email, created_at, updated_at, orders_count, total_spent)
                VALUES ({shopId}, {id}, {firstName}, {lastName}, {email}, {createdAt}, {updatedAt}, 0, 0)
                ON CONFLICT (shop_id, id) DO NOTHING
                """, cancellationToken);
            return;
        }
        // Since API 2025-01 customer webhooks carry no marketing consent: the stored state is kept.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO customers (shop_id, id, first_name, last_name, email, created_at, updated_at, orders_count, total_spent)
            VALUES ({shopId}, {id}, {firstName}, {lastName}, {email}, {createdAt}, {updatedAt}, 0, 0)
            ON CONFLICT (shop_id, id) DO UPDATE SET
                first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
                created_at = excluded.created_at, updated_at = excluded.updated_at
            WHERE customers.updated_at <= excluded.updated_at
            """, cancellationToken);
    }

    private async Task DeleteCustomerAsync(long shopId, long id, CancellationToken cancellationToken)
    {
        await db.Orders.Where(o => o.ShopId == shopId && o.CustomerId == id).ExecuteUpdateAsync(o => o.SetProperty(x => x.CustomerId, (long?)null), cancellationToken);
        await db.Customers.Where(c => c.ShopId == shopId && c.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
