using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Operations;
using WinBack.Web.Shops;

namespace WinBack.Web.Webhooks;

/// <summary>
/// POST /webhooks for every topic (compliance ones included). A missing or malformed signature, or a body announced
/// over 5 MB, is refused before the body is read; the signature is checked over the raw bytes before anything is parsed; the delivery is recorded once per X-Shopify-Webhook-Id and answered at once; the work runs in
/// <see cref="WebhookProcessingJob"/>, which <see cref="WebhookProcessingTrigger"/> queues in Hangfire.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxBodyBytes = 5 * 1024 * 1024;

    /// <summary>
    /// Topics whose body names its shop. The signature covers the body but not the headers, so a body Shopify signed for
    /// one shop could be replayed under another shop's header; for these (erasures, uninstall) the two must agree. Refused
    /// at intake rather than recorded as failed: nothing is stored under a shop the body is not about.
    /// </summary>
    private static readonly Dictionary<string, string> ShopPropertyOfBody = new()
    {
        ["customers/data_request"] = "shop_domain",
        ["customers/redact"] = "shop_domain",
        ["shop/redact"] = "shop_domain",
        ["app/uninstalled"] = "myshopify_domain",
    };

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/webhooks", ReceiveAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<Results<Ok, UnauthorizedHttpResult, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, WinBackDbContext db, IOptions<ShopifyAppOptions> app, WebhookProcessingTrigger trigger, WinBackMetrics metrics, TimeProvider time, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        // Refused before a byte of the body is read: no well-formed signature, or more announced than WinBack takes.
        var signature = request.Headers["X-Shopify-Hmac-Sha256"].ToString();
        if (!IsWellFormedSignature(signature)) return TypedResults.Unauthorized();
        if (request.ContentLength > MaxBodyBytes) return BodyTooLarge();
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null) return BodyTooLarge();
        if (!ShopifyHmac.VerifyWebhook(app.Value.ApiSecret, body, signature))
            return TypedResults.Unauthorized();

        var topic = request.Headers["X-Shopify-Topic"].ToString();
        var shopDomain = request.Headers["X-Shopify-Shop-Domain"].ToString();
        var webhookId = request.Headers["X-Shopify-Webhook-Id"].ToString();
        if (topic.Length == 0 || webhookId.Length == 0 || !ShopifyHmac.IsValidShopDomain(shopDomain))
            return TypedResults.Problem("The webhook is missing X-Shopify-Topic, X-Shopify-Webhook-Id or a valid X-Shopify-Shop-Domain.", statusCode: StatusCodes.Status400BadRequest);
        if (ShopPropertyOfBody.TryGetValue(topic, out var shopProperty) && ShopNamedIn(body, shopProperty) != shopDomain)
            return TypedResults.Problem($"The webhook body is not for {shopDomain}, the shop in X-Shopify-Shop-Domain; it is refused.", statusCode: StatusCodes.Status400BadRequest);

        var receipt = new WebhookReceipt
        {
            ShopDomain = shopDomain,
            WebhookId = webhookId,
            EventId = NullIfEmpty(request.Headers["X-Shopify-Event-Id"].ToString()),
            Topic = topic,
            ApiVersion = NullIfEmpty(request.Headers["X-Shopify-API-Version"].ToString()),
            TriggeredAt = DateTimeOffset.TryParse(request.Headers["X-Shopify-Triggered-At"].ToString(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var triggered) ? triggered : null,
            ReceivedAt = time.GetUtcNow(),
            Payload = System.Text.Encoding.UTF8.GetString(body),
        };

        if (await RecordOnceAsync(db, receipt, cancellationToken))
        {
            metrics.WebhookReceived(topic);
            trigger.Notify();
        }
        else
            loggers.CreateLogger(nameof(WebhookEndpoints)).LogInformation("Webhook {WebhookId} ({Topic}) for {Shop} was delivered again; ignored", webhookId, topic, shopDomain);
        return TypedResults.Ok();
    }

    /// <summary>Inserts the receipt unless this delivery was recorded before; true when it is new.</summary>
    private static async Task<bool> RecordOnceAsync(WinBackDbContext db, WebhookReceipt r, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO webhook_receipts (shop_domain, webhook_id, event_id, topic, api_version, triggered_at, received_at, payload, status)
            VALUES ({r.ShopDomain}, {r.WebhookId}, {r.EventId}, {r.Topic}, {r.ApiVersion}, {r.TriggeredAt}, {r.ReceivedAt}, {r.Payload}, {r.Status.ToString()})
            ON CONFLICT (shop_domain, webhook_id) DO NOTHING
            """, cancellationToken) == 1;

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static ProblemHttpResult BodyTooLarge() =>
        TypedResults.Problem("The webhook body is larger than WinBack accepts.", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Base64 of the 32 bytes of an HMAC-SHA256, as Shopify sends it.</summary>
    private static bool IsWellFormedSignature(string signature) =>
        signature.Length == 44 && Convert.TryFromBase64String(signature, stackalloc byte[33], out var written) && written == 32;

    private static string? ShopNamedIn(byte[] body, string property)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(property, out var shop) && shop.ValueKind == JsonValueKind.String
                ? shop.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
