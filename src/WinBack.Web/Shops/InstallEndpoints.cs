using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;

namespace WinBack.Web.Shops;

/// <summary>
/// How a shop gets in. GET / is the embedded load (managed install + token exchange, Shopify's current flow);
/// /auth/install and /auth/callback are the authorization-code grant for installs from a link.
/// </summary>
public static class InstallEndpoints
{
    public const string StateCookie = "winback_oauth_state";
    private static readonly TimeSpan TimestampTolerance = TimeSpan.FromSeconds(90);

    public static IEndpointRouteBuilder MapInstall(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", EmbeddedLoadAsync);
        routes.MapGet("/auth/install", BeginAuthorization);
        routes.MapGet("/auth/callback", AuthorizationCallbackAsync);
        return routes;
    }

    private static async Task<IResult> EmbeddedLoadAsync(
        HttpContext http, WinBackDbContext db, ShopifyOAuthClient oauth, ShopInstaller installer, EmbeddedPage page, IOptions<ShopifyAppOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var app = options.Value;
        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var shop = query.GetValueOrDefault("shop");
        if (!ShopifyHmac.IsValidShopDomain(shop))
            return Results.Problem("Open WinBack from your Shopify admin (Apps › WinBack).", statusCode: StatusCodes.Status400BadRequest, title: "No shop");
        if (!SignedAndFresh(query, app, time))
            return Results.Problem("This link is not signed by Shopify or has expired. Open WinBack again from your Shopify admin.", statusCode: StatusCodes.Status401Unauthorized);

        if (query.GetValueOrDefault("embedded") != "1")
            return Results.Redirect(AdminAppUrl(query.GetValueOrDefault("host"), shop!, app) ?? $"https://{shop}/admin/apps/{app.ApiKey}");

        // No session token, or one that expired on the way: the bounce page has App Bridge fetch a fresh one, as
        // Shopify's own app template does for document requests.
        if (query.GetValueOrDefault("id_token") is not { Length: > 0 } idToken
            || SessionTokenAuthenticationHandler.ValidShop(idToken, app, time.GetUtcNow()) != shop)
            return Html(http, shop!, app, page.Bounce());

        var installed = await db.Shops.AnyAsync(s => s.Domain == shop && s.UninstalledAt == null && !s.NeedsReauthorization && s.AccessTokenCiphertext != null, cancellationToken);
        if (!installed)
        {
            var issued = await oauth.ExchangeSessionTokenAsync(shop!, app.ApiKey, app.ApiSecret, idToken, cancellationToken);
            await installer.CompleteInstallAsync(shop!, issued, cancellationToken);
        }
        return Html(http, shop!, app, page.App());
    }

    private static IResult BeginAuthorization(HttpContext http, string? shop, IOptions<ShopifyAppOptions> options, IOptions<ShopifyOptions> shopify)
    {
        if (!ShopifyHmac.IsValidShopDomain(shop))
            return Results.Problem("Enter your shop's address, like your-store.myshopify.com.", statusCode: StatusCodes.Status400BadRequest, title: "Not a Shopify shop");
        var app = options.Value;
        var state = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        http.Response.Cookies.Append(StateCookie, state, new CookieOptions
        {
            HttpOnly = true,
            Secure = http.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/auth/callback",
            MaxAge = TimeSpan.FromMinutes(5),
        });
        var authorize = shopify.Value.AdminUrl(shop!, "oauth/authorize");
        var redirect = app.AppUrlFor("auth/callback");
        return Results.Redirect($"{authorize}?client_id={Uri.EscapeDataString(app.ApiKey)}&scope={Uri.EscapeDataString(app.Scopes)}" +
                                $"&redirect_uri={Uri.EscapeDataString(redirect.ToString())}&state={state}&grant_options%5B%5D=");
    }

    private static async Task<IResult> AuthorizationCallbackAsync(
        HttpContext http, ShopifyOAuthClient oauth, ShopInstaller installer, IOptions<ShopifyAppOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var app = options.Value;
        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var shop = query.GetValueOrDefault("shop");
        var expectedState = http.Request.Cookies[StateCookie];
        http.Response.Cookies.Delete(StateCookie, new CookieOptions { Path = "/auth/callback" });

        if (expectedState is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expectedState), Encoding.ASCII.GetBytes(query.GetValueOrDefault("state") ?? "")))
            return Results.Problem("This sign-in was not started from this browser, or took too long. Start the install again.", statusCode: StatusCodes.Status403Forbidden);
        if (!ShopifyHmac.IsValidShopDomain(shop))
            return Results.Problem("The shop address is not a Shopify shop.", statusCode: StatusCodes.Status400BadRequest);
        if (!SignedAndFresh(query, app, time) || query.GetValueOrDefault("code") is not { Length: > 0 } code)
            return Results.Problem("This link is not signed by Shopify or has expired. Start the install again.", statusCode: StatusCodes.Status401Unauthorized);

        var issued = await oauth.ExchangeCodeAsync(shop!, app.ApiKey, app.ApiSecret, code, cancellationToken);
        await installer.CompleteInstallAsync(shop!, issued, cancellationToken);
        return Results.Redirect(AdminAppUrl(query.GetValueOrDefault("host"), shop!, app) ?? $"https://{shop}/admin/apps/{app.ApiKey}");
    }

    /// <summary>The query's hmac is Shopify's, and its timestamp is within 90 s of now.</summary>
    private static bool SignedAndFresh(Dictionary<string, string> query, ShopifyAppOptions app, TimeProvider time) =>
        ShopifyHmac.VerifyQuery(app.ApiSecret, query, query.GetValueOrDefault("hmac"))
        && long.TryParse(query.GetValueOrDefault("timestamp"), out var timestamp)
        && (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() <= TimestampTolerance;

    /// <summary>https://{decoded host}/apps/{api key}, when host decodes to Shopify admin for this shop.</summary>
    private static string? AdminAppUrl(string? host, string shop, ShopifyAppOptions app)
    {
        if (string.IsNullOrEmpty(host)) return null;
        try
        {
            var padded = host.PadRight(host.Length + (4 - host.Length % 4) % 4, '=');
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var handle = shop[..shop.IndexOf('.')];
            var valid = decoded == $"admin.shopify.com/store/{handle}" || decoded == $"{shop}/admin";
            return valid ? $"https://{decoded}/apps/{app.ApiKey}" : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Only Shopify admin (and, in development, the simulator's admin) may frame the page.</summary>
    private static IResult Html(HttpContext http, string shop, ShopifyAppOptions app, string html)
    {
        var extra = app.AdminFrameOrigins is { Length: > 0 } origins ? " " + origins : "";
        http.Response.Headers.ContentSecurityPolicy = $"frame-ancestors https://{shop} https://admin.shopify.com{extra};";
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
