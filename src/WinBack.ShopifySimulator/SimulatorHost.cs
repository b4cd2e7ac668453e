using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Bulk;
using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.OAuth;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.ShopifySimulator;

/// <summary>
/// Builds the simulator as a web app. Shopify addresses each shop by host name ({shop}.myshopify.com); on loopback
/// a shop is addressed by a path prefix instead (http://127.0.0.1:port/{shop}.myshopify.com/admin/...), which
/// <see cref="UseShopFromPath"/> turns back into the host Shopify would have seen.
/// </summary>
public static class SimulatorHost
{
    public static WebApplication Build(string[] args, Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<SimulatorOptions>().Bind(builder.Configuration.GetSection(SimulatorOptions.SectionName)).Configure(o => configure?.Invoke(o));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<SimulatorStore>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddSingleton<BulkOperationRunner>();
        builder.Services.AddSingleton<SimulatorRuntime>();
        builder.Services.AddHostedService<WebhookDeliveryService>();
        builder.Services.AddHttpClient(nameof(WebhookDispatcher)).ConfigurePrimaryHttpMessageHandler(() =>
            new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(1), AllowAutoRedirect = false });

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IOptions<SimulatorOptions>>().Value.PublicUrl?.ToString()
                ?? app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is not null) app.Services.GetRequiredService<BulkOperationRunner>().PublicBaseUrl = new Uri(address.TrimEnd('/') + "/");
        });
        app.UseShopFromPath();
        app.UseRouting();
        app.MapSimulatedAdminApi();
        app.MapSimulatedOAuth();
        app.MapSimulatedAdmin();
        app.MapSimulatorControl();
        app.MapGet("/bulk-results/{domain}/{id:long}.jsonl", async (string domain, long id, long expires, string signature, SimulatorRuntime runtime) =>
        {
            if (runtime.Store.Find(domain) is not { } shop || runtime.Bulk.ResultFile(shop, id, expires, signature) is not { } path)
                return Results.Text("<Error><Code>AccessDenied</Code><Message>Request has expired or the signature does not match.</Message></Error>", "application/xml", statusCode: 403);
            if (runtime.Bulk.BeforeDownload is { } beforeDownload)
            {
                SimulatedBulkOperation operation;
                lock (shop.Sync) operation = shop.BulkOperations[id];
                await beforeDownload(shop, operation);
            }
            return Results.File(path, "application/jsonl");
        });
        app.MapGet("/", () => Results.Text("WinBack's Shopify simulator. See README.md."));
        return app;
    }

    /// <summary>Starts a simulator on a free loopback port (tests, demos, benchmarks).</summary>
    public static async Task<RunningSimulator> StartAsync(Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var app = Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], configure, time);
        await app.StartAsync();
        return new RunningSimulator(app);
    }

    private static void UseShopFromPath(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path.Value ?? "";
        var segmentEnd = path.IndexOf('/', 1);
        var first = segmentEnd > 0 ? path[1..segmentEnd] : "";
        if (first.EndsWith(".myshopify.com", StringComparison.OrdinalIgnoreCase))
        {
            context.Request.Host = new HostString(first);
            context.Request.PathBase = context.Request.PathBase.Add("/" + first);
            context.Request.Path = path[segmentEnd..];
        }
        return next(context);
    });
}

/// <summary>A simulator running in this process on loopback.</summary>
public sealed class RunningSimulator(WebApplication app) : IAsyncDisposable
{
    public Uri BaseUrl { get; } = new(app.Urls.First().TrimEnd('/') + "/");
    public SimulatorRuntime Runtime => app.Services.GetRequiredService<SimulatorRuntime>();

    /// <summary>The value for WinBack's Shopify:ShopBaseUrl that reaches this simulator.</summary>
    public string ShopBaseUrl => $"{BaseUrl}{{shop}}";

    public Uri ShopUrl(string shopDomain, string relativePath) => new(BaseUrl, $"{shopDomain}/{relativePath.TrimStart('/')}");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
