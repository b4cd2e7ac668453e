using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Privacy;

/// <summary>
/// The raw webhook bodies WinBack still keeps that are about one customer, found by the ids in them, not by text: a
/// customer's id can be part of another number. A body that is not valid JSON but holds the id counts as theirs.
/// </summary>
public static class StoredWebhookBodies
{
    public static async Task<List<WebhookReceipt>> AboutAsync(
        WinBackDbContext db, string shopDomain, long customerId, IReadOnlyCollection<long> orderIds, CancellationToken cancellationToken)
    {
        // The text match only narrows the rows to parse.
        var patterns = orderIds.Prepend(customerId).Select(id => $"%{id.ToString(CultureInfo.InvariantCulture)}%").ToArray();
        var candidates = await db.WebhookReceipts
            .FromSql($"SELECT * FROM webhook_receipts WHERE shop_domain = {shopDomain} AND payload LIKE ANY({patterns})")
            .Where(r => r.Payload != PrivacyRequests.RedactedPayload)
            .ToListAsync(cancellationToken);
        return candidates.Where(r => IsAbout(r, customerId, orderIds)).ToList();
    }

    private static bool IsAbout(WebhookReceipt receipt, long customerId, IReadOnlyCollection<long> orderIds)
    {
        try
        {
            using var document = JsonDocument.Parse(receipt.Payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            return (receipt.Topic.StartsWith("customers/", StringComparison.Ordinal) && Id(root) == customerId)
                || (root.TryGetProperty("customer", out var customer) && customer.ValueKind == JsonValueKind.Object && Id(customer) == customerId)
                || (receipt.Topic.StartsWith("orders/", StringComparison.Ordinal) && Id(root) is { } orderId && orderIds.Contains(orderId));
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static long? Id(JsonElement element) =>
        element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value) ? value : null;
}
