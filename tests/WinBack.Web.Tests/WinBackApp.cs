using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Data;

namespace WinBack.Web.Tests;

/// <summary>The one test host: the real app, with its real migrations, on its own PostgreSQL database.</summary>
public sealed class WinBackApp(string connectionString) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key";
    public const string ApiSecret = "test-api-secret";

    public string ConnectionString { get; } = connectionString;

    public static async Task<WinBackApp> StartAsync(string databasePrefix = "app")
    {
        var server = await PostgresServer.Shared;
        var app = new WinBackApp(await server.CreateDatabaseAsync(databasePrefix));
        await app.Services.MigrateDatabaseAsync();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:WinBack", ConnectionString);
        builder.UseSetting("ShopifyApp:ApiKey", ApiKey);
        builder.UseSetting("ShopifyApp:ApiSecret", ApiSecret);
        // Tests run jobs by calling the job classes; a background Hangfire server would race them.
        builder.UseSetting("Jobs:RunServer", "false");
    }

    /// <summary>Posts a webhook signed the way Shopify signs it (or with <paramref name="signature"/> instead).</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string topic, string shopDomain, string body, string? webhookId = null, string? signature = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", shopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Event-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-API-Version", "2026-01");
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature ?? WinBack.Shopify.ShopifyHmac.SignWebhook(ApiSecret, bytes));
        return CreateClient().SendAsync(request);
    }

    public WinBackDbContext CreateDbContext() => Services.CreateScope().ServiceProvider.GetRequiredService<WinBackDbContext>();
}
