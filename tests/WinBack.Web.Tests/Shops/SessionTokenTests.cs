using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using WinBack.ShopifySimulator.OAuth;
using WinBack.Web.Shops;

namespace WinBack.Web.Tests.Shops;

public sealed class SessionTokenTests : IAsyncLifetime
{
    private WinBackApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("session");
        await using var db = _app.CreateDbContext();
        db.Shops.AddRange(
            new Shop { Domain = "alpha.myshopify.com", Name = "Alpha", CurrencyCode = "EUR", IanaTimezone = "Europe/Berlin", InstalledAt = DateTimeOffset.UtcNow },
            new Shop { Domain = "gone.myshopify.com", InstalledAt = DateTimeOffset.UtcNow, UninstalledAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> GetSessionAsync(string token)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.GetAsync("/api/session");
    }

    private static string Token(string shop, string apiKey = WinBackApp.ApiKey, string secret = WinBackApp.ApiSecret, DateTimeOffset? issuedAt = null) =>
        SessionTokens.Mint(shop, apiKey, secret, issuedAt ?? DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60));

    [Fact]
    public async Task A_valid_session_token_speaks_for_its_shop()
    {
        var response = await GetSessionAsync(Token("alpha.myshopify.com"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var session = await response.Content.ReadFromJsonAsync<SessionEndpoints.SessionInfo>();
        session.Should().Be(new SessionEndpoints.SessionInfo("alpha.myshopify.com", "Alpha", "EUR", "Europe/Berlin"));
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "expired two minutes ago", Token("alpha.myshopify.com", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-3)) },
        { "signed with another secret", Token("alpha.myshopify.com", secret: "someone-else") },
        { "for another app", Token("alpha.myshopify.com", apiKey: "another-app") },
        { "for a shop that uninstalled", Token("gone.myshopify.com") },
        { "for a shop that never installed", Token("stranger.myshopify.com") },
        { "not a token", "abc.def.ghi" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task An_invalid_session_token_is_401_with_the_retry_header(string why, string token)
    {
        var response = await GetSessionAsync(token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, why);
        response.Headers.GetValues("X-Shopify-Retry-Invalid-Session-Request").Should().Equal("1");
    }

    [Fact]
    public async Task No_token_is_401_and_a_shop_query_parameter_changes_nothing()
    {
        (await _app.CreateClient().GetAsync("/api/session?shop=alpha.myshopify.com")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
