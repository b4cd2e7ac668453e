using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Shops;

namespace WinBack.Web.Webhooks;

/// <summary>
/// POST /webhooks for every topic (compliance ones included). The signature is checked over the raw bytes before
/// anything is parsed; the delivery is recorded once per X-Shopify-Webhook-Id and answered at once; the work runs in
/// <see cref="WebhookProcessingJob"/>, which <see cref="WebhookProcessingTrigger"/> queues in Hangfire.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxBodyBytes = 5 * 1024 * 1024;

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/webhooks", ReceiveAsync).DisableAntiforgery();
        return routes;
    }

    private static async Task<Results<Ok, UnauthorizedHttpResult, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, WinBackDbContext db, IOptions<ShopifyAppOptions> app, WebhookProcessingTrigger trigger, TimeProvider time, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null) return TypedResults.Problem("The webhook body is larger than WinBack accepts.", statusCode: StatusCodes.Status413PayloadTooLarge);
        if (!ShopifyHmac.VerifyWebhook(app.Value.ApiSecret, body, request.Headers["X-Shopify-Hmac-Sha256"]))
            return TypedResults.Unauthorized();

        var topic = request.Headers["X-Shopify-Topic"].ToString();
        var shopDomain = request.Headers["X-Shopify-Shop-Domain"].ToString();
        var webhookId = request.Headers["X-Shopify-Webhook-Id"].ToString();
        if (topic.Length == 0 || webhookId.Length == 0 || !ShopifyHmac.IsValidShopDomain(shopDomain))
            return TypedResults.Problem("The webhook is missing X-Shopify-Topic, X-Shopify-Webhook-Id or a valid X-Shopify-Shop-Domain.", statusCode: StatusCodes.Status400BadRequest);

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
            trigger.Notify();
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
}
