using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;

namespace WinBack.Web.Shops;

/// <summary>
/// Authenticates calls from the embedded UI by their Shopify session token (Authorization: Bearer): HS256 signed with
/// the app secret, aud = the app's client id, exp / nbf with 10 s leeway, iss and dest naming one shop, and that shop
/// installed. The shop comes from the token only. A failure is 401 with X-Shopify-Retry-Invalid-Session-Request: 1, so
/// App Bridge retries with a fresh token.
/// </summary>
public sealed class SessionTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ShopifyAppOptions> app,
    WinBackDbContext db,
    IMemoryCache cache,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ShopifySessionToken";
    public const string ShopDomainClaim = "shop_domain";
    public const string ShopIdClaim = "shop_id";
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InstalledShopCacheTime = TimeSpan.FromSeconds(10);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return AuthenticateResult.NoResult();

        var shopDomain = ValidShop(header["Bearer ".Length..].Trim(), app.Value, time.GetUtcNow());
        if (shopDomain is null) return AuthenticateResult.Fail("The session token is invalid or expired.");

        // The embedded page calls the API several times a second; an installed shop is remembered for a few seconds
        // (an uninstall reaches every server within that time; the session token itself lives a minute).
        var cacheKey = "installed-shop:" + shopDomain;
        if (!cache.TryGetValue(cacheKey, out long shopId))
        {
            var found = await db.Shops.AsNoTracking()
                .Where(s => s.Domain == shopDomain && s.UninstalledAt == null)
                .Select(s => (long?)s.Id)
                .SingleOrDefaultAsync(Context.RequestAborted);
            if (found is null) return AuthenticateResult.Fail("The shop has not installed WinBack.");
            shopId = found.Value;
            cache.Set(cacheKey, shopId, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = InstalledShopCacheTime, Size = 1 });
        }

        var identity = new ClaimsIdentity([new Claim(ShopDomainClaim, shopDomain), new Claim(ShopIdClaim, shopId.ToString(System.Globalization.CultureInfo.InvariantCulture))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers["X-Shopify-Retry-Invalid-Session-Request"] = "1";
        return Task.CompletedTask;
    }

    /// <summary>The shop a valid session token speaks for, or null.</summary>
    public static string? ValidShop(string token, ShopifyAppOptions app, DateTimeOffset now) => Check(token, app, now).Shop;

    /// <summary>What a session token says: the shop, when it is valid; or whether it is genuine but out of its minute, so a fresh one will do.</summary>
    public static SessionTokenCheck Check(string token, ShopifyAppOptions app, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return SessionTokenCheck.Invalid;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "HS256") return SessionTokenCheck.Invalid;

            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(app.ApiSecret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(parts[2]))) return SessionTokenCheck.Invalid;

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var claims = payload.RootElement;
            if (claims.GetProperty("aud").GetString() != app.ApiKey) return SessionTokenCheck.Invalid;
            var dest = new Uri(claims.GetProperty("dest").GetString()!).Host;
            var iss = new Uri(claims.GetProperty("iss").GetString()!).Host;
            if (dest != iss || !ShopifyHmac.IsValidShopDomain(dest)) return SessionTokenCheck.Invalid;

            var expired = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64()) + Leeway < now;
            var notYetValid = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("nbf").GetInt64()) - Leeway > now;
            return expired || notYetValid ? SessionTokenCheck.Stale : new SessionTokenCheck(dest, NeedsFreshToken: false);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or UriFormatException)
        {
            return SessionTokenCheck.Invalid;
        }
    }
}

/// <summary>A session token's verdict: <see cref="Shop"/> when valid; <see cref="NeedsFreshToken"/> when Shopify signed it but it expired (or the clocks disagree).</summary>
public sealed record SessionTokenCheck(string? Shop, bool NeedsFreshToken)
{
    public static readonly SessionTokenCheck Invalid = new(null, NeedsFreshToken: false);
    public static readonly SessionTokenCheck Stale = new(null, NeedsFreshToken: true);
}

public static class SessionTokenExtensions
{
    public static IServiceCollection AddSessionTokenAuthentication(this IServiceCollection services)
    {
        services.AddMemoryCache(o => o.SizeLimit = 100_000);
        services.AddAuthentication(SessionTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionTokenAuthenticationHandler>(SessionTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        return services;
    }

    /// <summary>The authenticated shop's id; endpoints filter every query by it.</summary>
    public static long ShopId(this ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(SessionTokenAuthenticationHandler.ShopIdClaim)!, System.Globalization.CultureInfo.InvariantCulture);

    public static string ShopDomain(this ClaimsPrincipal user) => user.FindFirstValue(SessionTokenAuthenticationHandler.ShopDomainClaim)!;
}
