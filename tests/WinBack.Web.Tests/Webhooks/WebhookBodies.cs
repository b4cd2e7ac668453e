using System.Text.Json;

namespace WinBack.Web.Tests.Webhooks;

/// <summary>Webhook bodies in Shopify's REST shape, as the webhook tests post them.</summary>
internal static class WebhookBodies
{
    /// <summary>An orders/create body for an order placed at <paramref name="placedAt"/>; the customer inside it as of 2025-01-01.</summary>
    public static string Order(DateTimeOffset placedAt, long id, long customerId, string name = "#1001", string? amount = "25.00", string firstName = "Bea") =>
        JsonSerializer.Serialize(new
        {
            id,
            name,
            processed_at = placedAt,
            created_at = placedAt,
            updated_at = placedAt,
            cancelled_at = (DateTimeOffset?)null,
            test = false,
            current_total_price_set = new { shop_money = new { amount, currency_code = "USD" } },
            customer = new { id = customerId, first_name = firstName, last_name = "Brown", email = $"c{customerId}@example.com", updated_at = "2025-01-01T00:00:00Z" },
            line_items = new[] { new { id = id * 10, product_id = (long?)null, title = "Tea", quantity = 1 } },
        });

    public static string Redact(string shop, long customerId) =>
        $$"""{"shop_id":1,"shop_domain":"{{shop}}","customer":{"id":{{customerId}},"email":"c{{customerId}}@example.com"},"orders_to_redact":[]}""";
}
