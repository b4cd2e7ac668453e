using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using WinBack.Shopify;

namespace WinBack.Web.Shops;

/// <summary>
/// How a shop gets in. GET / is the embedded load (managed install + token exchange, Shopify's current flow), with
/// /auth/session-token as its bounce page when the session token is missing or expired; /auth/install and
/// /auth/callback are the authorization-code grant for installs from a link.
/// </summary>
public static class InstallEndpoints
{
    public const string StateCookie = "winback_oauth_state";
    public const string SessionTokenBouncePath = "/auth/session-token";
    private const string ShopifyReloadParameter = "shopify-reload";
    private static readonly TimeSpan TimestampTolerance = TimeSpan.FromSeconds(90);

    public static IEndpointRouteBuilder MapInstall(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", EmbeddedLoadAsync);
        routes.MapGet(SessionTokenBouncePath, SessionTokenBounce);
        routes.MapGet("/auth/install", BeginAuthorization);
        routes.MapGet("/auth/callback", AuthorizationCallbackAsync);
        return routes;
    }

    private static async Task<IResult> EmbeddedLoadAsync(
        HttpContext http, ShopifyOAuthClient oauth, ShopInstaller installer, EmbeddedPage page, IOptions<ShopifyAppOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var app = options.Value;
        var query = http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        var shop = query.GetValueOrDefault("shop");
        if (!ShopifyHmac.IsValidShopDomain(shop))
            return Results.Problem("Open WinBack from your Shopify admin (Apps › WinBack).", statusCode: StatusCodes.Status400BadRequest, title: "No shop");
        if (query.GetValueOrDefault("embedded") != "1")
        {
            if (!SignedAndFresh(query, app, time))
                return Results.Problem("This link is not signed by Shopify or has expired. Open WinBack again from your Shopify admin.", statusCode: StatusCodes.Status401Unauthorized);
            return Results.Redirect(AdminAppUrl(query.GetValueOrDefault("host"), shop!, app) ?? $"https://{shop}/admin/apps/{app.ApiKey}");
        }

        // Inside admin the session token is the proof, not the query's hmac: App Bridge's reload after the bounce adds a
        // fresh id_token to a URL Shopify signed without it (Shopify's libraries check the token alone, too).
        var check = query.GetValueOrDefault("id_token") is { Length: > 0 } token
            ? SessionTokenAuthenticationHandler.Check(token, app, time.GetUtcNow())
            : SessionTokenCheck.Stale;
        if (check.NeedsFreshToken) return Results.Redirect(BouncePath(query, app));
        if (check.Shop != shop)
            return Results.Problem("Shopify's sign-in for this page is not valid. Open WinBack again from your Shopify admin.", statusCode: StatusCodes.Status401Unauthorized);

        try
        {
            await installer.EnsureInstalledAsync(shop!, ct => oauth.ExchangeSessionTokenAsync(shop!, app.ApiKey, app.ApiSecret, query["id_token"], ct), cancellationToken);
        }
        catch (ShopifyOAuthException e) when (e.Error == "invalid_subject_token")
        {
            // Shopify refuses a token it signed itself when the app was removed meanwhile: no bounce, it would only loop.
            return Results.Problem("Shopify did not let WinBack into your shop. Open WinBack again from your Shopify admin (Apps › WinBack); if it was removed, install it again.",
                statusCode: StatusCodes.Status401Unauthorized, title: "WinBack could not sign in");
        }
        return Html(http, shop!, app, page.App());
    }

    /// <summary>
    /// The bounce page: App Bridge alone, which fetches a fresh session token and loads the shopify-reload address with it
    /// (the query of the load, minus its stale id_token).
    /// </summary>
    private static IResult SessionTokenBounce(HttpContext http, string? shop, IOptions<ShopifyAppOptions> options, EmbeddedPage page) =>
        ShopifyHmac.IsValidShopDomain(shop)
            ? Html(http, shop!, options.Value, page.Bounce())
            : Results.Problem("Open WinBack from your Shopify admin (Apps › WinBack).", statusCode: StatusCodes.Status400BadRequest, title: "No shop");

    private static string BouncePath(Dictionary<string, string> query, ShopifyAppOptions app)
    {
        var kept = query.Where(q => q.Key is not ("id_token" or ShopifyReloadParameter)).ToList();
        var reload = $"{app.AppUrlFor("")}?{QueryString(kept)}";
        return $"{SessionTokenBouncePath}?{QueryString([.. kept, KeyValuePair.Create(ShopifyReloadParameter, reload)])}";
    }

    private static string QueryString(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

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

        try
        {
            await installer.InstallAsync(shop!, ct => oauth.ExchangeCodeAsync(shop!, app.ApiKey, app.ApiSecret, code, ct), cancellationToken);
        }
        catch (ShopifyOAuthException e) when (e.Error == "invalid_grant")
        {
            // The code was spent already (the callback loaded twice) or expired: a new authorization gets a new one.
            return Results.Redirect(app.AppUrlFor($"auth/install?shop={Uri.EscapeDataString(shop!)}").ToString());
        }
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
