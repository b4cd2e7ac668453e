using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Shops;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Webhooks;

public sealed class WebhookTests : IAsyncLifetime
{
    private WinBackApp _app = null!;

    public async Task InitializeAsync() => _app = await WinBackApp.StartAsync("webhooks");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_signed_webhook_is_recorded_once_however_often_it_is_delivered()
    {
        var webhookId = Guid.NewGuid().ToString();
        const string body = """{"id":706405506930370084,"admin_graphql_api_id":"gid://shopify/Customer/706405506930370084"}""";

        var first = await _app.PostWebhookAsync("customers/update", "once.myshopify.com", body, webhookId);
        var again = await _app.PostWebhookAsync("customers/update", "once.myshopify.com", body, webhookId);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = _app.CreateDbContext();
        var receipt = await db.WebhookReceipts.SingleAsync(r => r.ShopDomain == "once.myshopify.com");
        receipt.WebhookId.Should().Be(webhookId);
        receipt.Payload.Should().Be(body, "the raw body is kept as delivered, big ids included");
    }

    [Theory]
    [InlineData("")]
    [InlineData("aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYE=")]
    public async Task A_bad_or_missing_signature_is_401_and_nothing_is_recorded(string signature)
    {
        var response = await _app.PostWebhookAsync("customers/redact", "forged.myshopify.com", """{"shop_id":1}""", signature: signature);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await using var db = _app.CreateDbContext();
        (await db.WebhookReceipts.AnyAsync(r => r.ShopDomain == "forged.myshopify.com")).Should().BeFalse();
    }

    [Theory]
    [InlineData("shop/redact", "shop_domain")]
    [InlineData("customers/redact", "shop_domain")]
    [InlineData("customers/data_request", "shop_domain")]
    [InlineData("app/uninstalled", "myshopify_domain")]
    public async Task A_signed_body_resent_with_another_shop_in_its_header_is_refused_and_not_recorded(string topic, string shopProperty)
    {
        // The signature covers the body only: a body Shopify signed for one shop, replayed under another shop's header.
        var body = $$$"""{"shop_id":1,"{{{shopProperty}}}":"signed-for.myshopify.com","customer":{"id":5},"orders_to_redact":[],"orders_requested":[],"data_request":{"id":9}}""";

        var response = await _app.PostWebhookAsync(topic, "victim.myshopify.com", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("victim.myshopify.com");
        await using var db = _app.CreateDbContext();
        (await db.WebhookReceipts.AnyAsync(r => r.ShopDomain == "victim.myshopify.com")).Should().BeFalse();
    }

    [Theory]
    [InlineData("", 1_000, "401")]
    [InlineData("not base64 at all", 1_000, "401")]
    [InlineData("aWGfbqUACx5KtRhny0TE1/GqBn4XUmextJmCws4UcYE=", 6 * 1024 * 1024, "413")]
    public async Task A_delivery_without_a_wellformed_signature_or_over_the_size_limit_is_refused_before_its_body_arrives(string signature, long contentLength, string status)
    {
        var (app, _) = await WinBackApp.StartWithSimulatorAsync("webhook_limits");
        await using var _ = app;
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(app.AppUrl.Host, app.AppUrl.Port);
        var stream = tcp.GetStream();
        var signatureHeader = signature.Length > 0 ? $"X-Shopify-Hmac-Sha256: {signature}\r\n" : "";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST /webhooks HTTP/1.1\r\nHost: {app.AppUrl.Authority}\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n" +
            $"X-Shopify-Topic: orders/create\r\nX-Shopify-Shop-Domain: big.myshopify.com\r\nX-Shopify-Webhook-Id: {Guid.NewGuid()}\r\n{signatureHeader}\r\n"));

        // Headers only, the body never sent: an answer that waited for the body would not come within the timeout.
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var statusLine = await reader.ReadLineAsync(timeout.Token);

        statusLine.Should().StartWith($"HTTP/1.1 {status}");
    }

    [Fact]
    public async Task A_malformed_body_with_a_valid_signature_is_kept_and_reported_not_retried()
    {
        var webhookId = Guid.NewGuid().ToString();
        var response = await _app.PostWebhookAsync("orders/create", "broken.myshopify.com", "{not json", webhookId);
        response.StatusCode.Should().Be(HttpStatusCode.OK);

        await _app.ProcessWebhooksAsync();

        await using var db = _app.CreateDbContext();
        var receipt = await db.WebhookReceipts.SingleAsync(r => r.WebhookId == webhookId);
        receipt.Status.Should().Be(WebhookReceiptStatus.Failed);
        receipt.Error.Should().Contain("not valid JSON");
        receipt.Payload.Should().Be("{not json");
    }

    [Fact]
    public async Task App_uninstalled_marks_the_shop_uninstalled_and_forgets_its_tokens()
    {
        await using (var db = _app.CreateDbContext())
        {
            db.Shops.Add(new Shop { Domain = "bye.myshopify.com", InstalledAt = DateTimeOffset.UtcNow, AccessTokenCiphertext = "sealed", RefreshTokenCiphertext = "sealed" });
            await db.SaveChangesAsync();
        }
        var webhookId = Guid.NewGuid().ToString();
        await _app.PostWebhookAsync("app/uninstalled", "bye.myshopify.com", """{"id":1,"myshopify_domain":"bye.myshopify.com"}""", webhookId);

        await _app.ProcessWebhooksAsync();
        await using (var db = _app.CreateDbContext())
            await db.Shops.Where(s => s.Domain == "bye.myshopify.com").ExecuteUpdateAsync(s => s.SetProperty(x => x.UninstalledAt, (DateTimeOffset?)null));
        await _app.ProcessWebhooksAsync();
        await using (var db = _app.CreateDbContext())
            (await db.Shops.SingleAsync(s => s.Domain == "bye.myshopify.com")).UninstalledAt.Should().BeNull("a delivery already processed is not processed again");
        await using (var db = _app.CreateDbContext())
            await db.Shops.Where(s => s.Domain == "bye.myshopify.com").ExecuteUpdateAsync(s => s.SetProperty(x => x.UninstalledAt, DateTimeOffset.UtcNow));

        await using var check = _app.CreateDbContext();
        var shop = await check.Shops.SingleAsync(s => s.Domain == "bye.myshopify.com");
        shop.UninstalledAt.Should().NotBeNull();
        shop.AccessTokenCiphertext.Should().BeNull();
        shop.RefreshTokenCiphertext.Should().BeNull();
        (await check.WebhookReceipts.SingleAsync(r => r.WebhookId == webhookId)).Status.Should().Be(WebhookReceiptStatus.Processed);
    }
}
