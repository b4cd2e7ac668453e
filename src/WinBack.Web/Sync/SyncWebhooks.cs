using System.Globalization;
using System.Text.Json;
using static WinBack.Web.Sync.JsonFields;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>An order or customer delivery as received: its shop, its topic and its raw body.</summary>
public sealed record SyncDelivery(string ShopDomain, string Topic, string Body);

/// <summary>
/// Applies order and customer webhooks to the synced copy, idempotently and in any order: a row is only replaced by a
/// payload at least as new (updated_at), and every customer an order touched (before and after) gets its rollups
/// recomputed once, when the queued writes are flushed.
/// </summary>
public sealed class SyncWebhooks(WinBackDbContext db, SyncWriter writer)
{
    /// <summary>What each topic does; an order upsert is queued for a set-based write, anything else writes what is queued first.</summary>
    private sealed record Topic(bool IsOrderUpsert, Func<SyncWebhooks, InstalledShop, JsonElement, CancellationToken, Task> ApplyAsync);

    private sealed record InstalledShop(long Id, string? CurrencyCode);

    private static readonly Topic OrderUpsert = new(true, (sync, shop, payload, _) => sync.UpsertOrder(shop, payload));
    private static readonly Topic CustomerUpsert = new(false, (sync, shop, payload, ct) => sync.UpsertCustomerAsync(shop.Id, payload, ct));

    private static readonly IReadOnlyDictionary<string, Topic> Topics = new Dictionary<string, Topic>
    {
        ["orders/create"] = OrderUpsert,
        ["orders/updated"] = OrderUpsert,
        ["orders/cancelled"] = OrderUpsert,
        ["orders/delete"] = new(false, (sync, shop, payload, ct) => sync.DeleteOrderAsync(shop.Id, payload, ct)),
        ["customers/create"] = CustomerUpsert,
        ["customers/update"] = CustomerUpsert,
        ["customers/delete"] = new(false, (sync, shop, payload, ct) => sync.DeleteCustomerAsync(shop.Id, payload, ct)),
    };

    public static bool Handles(string topic) => Topics.ContainsKey(topic);

    /// <summary>
    /// Applies the deliveries in the order received and has written all of them when it returns. Order upserts are queued
    /// and written together; anything else first writes what is queued, so every event sees the ones before it. Returns,
    /// for each delivery, null when it was applied (or its shop is not installed), or why its body cannot be applied.
    /// </summary>
    public async Task<IReadOnlyList<string?>> ApplyAsync(IReadOnlyList<SyncDelivery> deliveries, CancellationToken cancellationToken)
    {
        var domains = deliveries.Select(d => d.ShopDomain).Distinct().ToList();
        var shops = await db.Shops.Where(s => domains.Contains(s.Domain) && s.UninstalledAt == null).Select(s => new { s.Domain, s.Id, s.CurrencyCode })
            .ToDictionaryAsync(s => s.Domain, s => new InstalledShop(s.Id, s.CurrencyCode), cancellationToken);
        var problems = new List<string?>(deliveries.Count);
        foreach (var delivery in deliveries)
        {
            var topic = Topics[delivery.Topic];
            if (!topic.IsOrderUpsert) await writer.FlushAsync(cancellationToken);
            problems.Add(await ApplyBodyAsync(delivery.Topic, delivery.Body, payload =>
                shops.TryGetValue(delivery.ShopDomain, out var shop) ? topic.ApplyAsync(this, shop, payload, cancellationToken) : Task.CompletedTask));
        }
        await writer.FlushAsync(cancellationToken);
        return problems;
    }

    private Task UpsertOrder(InstalledShop shop, JsonElement order)
    {
        var customer = order.TryGetProperty("customer", out var c) && c.ValueKind == JsonValueKind.Object ? ToCustomerRow(c) : null;
        var (total, currency) = CurrentTotal(order, shop.CurrencyCode);
        var row = new OrderRow(
            order.GetProperty("id").GetInt64(),
            customer?.Id,
            String(order, "name") ?? "",
            Time(order, "processed_at") ?? Time(order, "created_at")!.Value,
            Time(order, "updated_at")!.Value,
            Time(order, "cancelled_at"),
            order.TryGetProperty("test", out var test) && test.ValueKind == JsonValueKind.True,
            total,
            currency,
            order.TryGetProperty("line_items", out var lines) && lines.ValueKind == JsonValueKind.Array
                ? lines.EnumerateArray().Select(li => new LineItemRow(
                    li.GetProperty("id").GetInt64(),
                    li.TryGetProperty("product_id", out var product) && product.ValueKind == JsonValueKind.Number ? product.GetInt64() : null,
                    String(li, "title") ?? String(li, "name") ?? "",
                    li.TryGetProperty("quantity", out var quantity) ? quantity.GetInt32() : 1)).ToList()
                : null);
        writer.UpsertOrders(shop.Id, shop.CurrencyCode, [(row, customer)]);
        return Task.CompletedTask;
    }

    /// <summary>current_total_price_set.shop_money; a total Shopify sends as null (the schema allows it) counts as zero.</summary>
    private static (decimal Amount, string CurrencyCode) CurrentTotal(JsonElement order, string? shopCurrency)
    {
        var money = order.TryGetProperty("current_total_price_set", out var set) && set.ValueKind == JsonValueKind.Object
            && set.TryGetProperty("shop_money", out var shopMoney) && shopMoney.ValueKind == JsonValueKind.Object ? shopMoney : default;
        if (money.ValueKind != JsonValueKind.Object) return (0m, shopCurrency ?? "");
        var amount = String(money, "amount");
        return (amount is null ? 0m : decimal.Parse(amount, NumberStyles.Number, CultureInfo.InvariantCulture),
            String(money, "currency_code") ?? shopCurrency ?? "");
    }

    private Task UpsertCustomerAsync(long shopId, JsonElement customer, CancellationToken cancellationToken) =>
        writer.UpsertCustomersAsync(shopId, [ToCustomerRow(customer)], cancellationToken);

    private Task DeleteOrderAsync(long shopId, JsonElement order, CancellationToken cancellationToken) =>
        writer.DeleteOrderAsync(shopId, order.GetProperty("id").GetInt64(), cancellationToken);

    private Task DeleteCustomerAsync(long shopId, JsonElement customer, CancellationToken cancellationToken) =>
        writer.DeleteCustomerAsync(shopId, customer.GetProperty("id").GetInt64(), cancellationToken);

    /// <summary>A REST customer (a customers/* payload, or the customer inside an order); consent is not in it since 2025-01.</summary>
    private static CustomerRow ToCustomerRow(JsonElement customer)
    {
        var updatedAt = Time(customer, "updated_at") ?? DateTimeOffset.MinValue;
        return new CustomerRow(customer.GetProperty("id").GetInt64(), String(customer, "first_name"), String(customer, "last_name"),
            String(customer, "email"), null, Time(customer, "created_at") ?? updatedAt, updatedAt);
    }
}
