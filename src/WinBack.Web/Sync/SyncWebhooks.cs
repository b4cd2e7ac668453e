using System.Globalization;
using System.Text.Json;
using static WinBack.Web.Sync.JsonFields;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Sync;

/// <summary>
/// Applies order and customer webhooks to the synced copy, idempotently and in any order: a row is only replaced by a
/// payload at least as new (updated_at), and every customer an order touched (before and after) gets its rollups
/// recomputed when the batch is flushed (<see cref="FlushAsync"/>).
/// </summary>
public sealed class SyncWebhooks(WinBackDbContext db, SyncWriter writer)
{
    /// <summary>What each topic does; an order upsert is queued for the batch's flush, anything else flushes first (in <see cref="SyncWriter"/>).</summary>
    private sealed record Topic(bool IsOrderUpsert, Func<SyncWebhooks, long, string?, JsonElement, CancellationToken, Task> ApplyAsync);

    private static readonly Topic OrderUpsert = new(true, (sync, shopId, currency, payload, _) => sync.UpsertOrder(shopId, currency, payload));
    private static readonly Topic CustomerUpsert = new(false, (sync, shopId, _, payload, ct) => sync.UpsertCustomerAsync(shopId, payload, ct));

    private static readonly IReadOnlyDictionary<string, Topic> Topics = new Dictionary<string, Topic>
    {
        ["orders/create"] = OrderUpsert,
        ["orders/updated"] = OrderUpsert,
        ["orders/cancelled"] = OrderUpsert,
        ["orders/delete"] = new(false, (sync, shopId, _, payload, ct) => sync.DeleteOrderAsync(shopId, payload, ct)),
        ["customers/create"] = CustomerUpsert,
        ["customers/update"] = CustomerUpsert,
        ["customers/delete"] = new(false, (sync, shopId, _, payload, ct) => sync.DeleteCustomerAsync(shopId, payload, ct)),
    };

    public static bool Handles(string topic) => Topics.ContainsKey(topic);

    public static bool IsOrderUpsert(string topic) => Topics.TryGetValue(topic, out var handler) && handler.IsOrderUpsert;

    public Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

    public async Task ApplyAsync(string shopDomain, string topic, JsonElement payload, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.Where(s => s.Domain == shopDomain && s.UninstalledAt == null)
            .Select(s => new { s.Id, s.CurrencyCode }).SingleOrDefaultAsync(cancellationToken);
        if (shop is null || !Topics.TryGetValue(topic, out var handler)) return;
        await handler.ApplyAsync(this, shop.Id, shop.CurrencyCode, payload, cancellationToken);
    }

    private Task UpsertOrder(long shopId, string? shopCurrency, JsonElement order)
    {
        var customer = order.TryGetProperty("customer", out var c) && c.ValueKind == JsonValueKind.Object ? ToCustomerRow(c) : null;
        var (total, currency) = CurrentTotal(order, shopCurrency);
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
        writer.UpsertOrders(shopId, shopCurrency, [(row, customer)]);
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
