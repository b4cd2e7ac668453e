using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.OAuth;

namespace WinBack.Shopify.Tests;

/// <summary>A simulator on loopback and a client pointed at it. Each test makes its own shop, so tests share no data.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public RunningSimulator Simulator { get; private set; } = null!;

    public async Task InitializeAsync() => Simulator = await SimulatorHost.StartAsync(o => o.BulkResultFolder = Path.Combine(Path.GetTempPath(), "winback-tests-bulk"));

    public async Task DisposeAsync() => await Simulator.DisposeAsync();

    public ShopifyOptions ClientOptions(int maxRetries = 5) => new() { ShopBaseUrl = Simulator.ShopBaseUrl, ApiVersion = "2026-01", MaxRetries = maxRetries };

    public ShopifyGraphQLClient Client(CostBucketTracker? tracker = null, int maxRetries = 5, TimeProvider? time = null) =>
        new(new HttpClient(), Options.Create(ClientOptions(maxRetries)), tracker ?? new CostBucketTracker(time ?? TimeProvider.System),
            time ?? TimeProvider.System, NullLogger<ShopifyGraphQLClient>.Instance);

    /// <summary>Installs the app on a new shop (optionally with generated data) and gets an offline token through token exchange.</summary>
    public async Task<ShopifyCredentials> InstallShopAsync(int orders = 0, int seed = 1, IReadOnlyList<string>? scopes = null, bool protectedCustomerData = true)
    {
        var domain = $"test-{Guid.NewGuid():N}"[..20] + ".myshopify.com";
        ShopLifecycle.CreateAndInstall(Simulator.Runtime, new ShopLifecycle.NewShop(domain, Scopes: scopes, ProtectedCustomerData: protectedCustomerData, Seed: seed, Orders: orders));
        var options = Simulator.Runtime.Options;
        var idToken = SessionTokens.Mint(domain, options.ApiKey, options.ApiSecret, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(Simulator.ShopUrl(domain, "admin/oauth/access_token"), new Dictionary<string, string>
        {
            ["client_id"] = options.ApiKey,
            ["client_secret"] = options.ApiSecret,
            ["grant_type"] = OAuthEndpoints.TokenExchangeGrant,
            ["subject_token"] = idToken,
            ["subject_token_type"] = OAuthEndpoints.IdTokenType,
            ["requested_token_type"] = OAuthEndpoints.OfflineTokenType,
            ["expiring"] = "1",
        });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return new ShopifyCredentials(domain, token!.access_token);
    }

    private sealed record TokenResponse(string access_token, string scope, long expires_in, string refresh_token);
}

[CollectionDefinition(Name)]
public sealed class SimulatorCollection : ICollectionFixture<SimulatorFixture>
{
    public const string Name = "simulator";
}
