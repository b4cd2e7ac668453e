using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.OAuth;

/// <summary>
/// /admin/oauth/authorize and /admin/oauth/access_token with the three grants Shopify has: authorization code,
/// token exchange (managed install), and refresh of expiring offline tokens (rotated, one active per shop).
/// </summary>
public static class OAuthEndpoints
{
    public const string TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";
    public const string OfflineTokenType = "urn:shopify:params:oauth:token-type:offline-access-token";
    public const string OnlineTokenType = "urn:shopify:params:oauth:token-type:online-access-token";

    public static IEndpointRouteBuilder MapSimulatedOAuth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/admin/oauth/authorize", Authorize);
        routes.MapPost("/admin/oauth/access_token", AccessToken);
        return routes;
    }

    private static IResult Authorize(HttpContext http, SimulatorRuntime runtime, string client_id, string? scope, string redirect_uri, string? state)
    {
        var options = runtime.Options;
        if (client_id != options.ApiKey) return Results.BadRequest(new { errors = "Oauth error invalid_request: The client_id is invalid." });
        var shop = runtime.Store.GetOrCreate(http.Request.Host.Host);
        var now = runtime.Time.GetUtcNow();
        var scopes = (scope ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        lock (shop.Sync)
        {
            // The merchant approves: the app is installed with the requested scopes.
            if (shop.Installation is not { IsInstalled: true })
                shop.Installation = new AppInstallation { Scopes = scopes, InstalledAt = now };
            else
                shop.Installation.Scopes.UnionWith(scopes);
        }
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        runtime.Store.AuthorizationCodes[code] = new AuthorizationCode(shop.Domain, now.AddMinutes(10));

        var parameters = new Dictionary<string, string>
        {
            ["code"] = code,
            ["host"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin.shopify.com/store/{shop.Domain.Split('.')[0]}")).TrimEnd('='),
            ["shop"] = shop.Domain,
            ["state"] = state ?? "",
            ["timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        parameters["hmac"] = QuerySigner.Sign(options.ApiSecret, parameters);
        return Results.Redirect($"{redirect_uri}?{string.Join('&', parameters.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"))}");
    }

    private static async Task<IResult> AccessToken(HttpContext http, SimulatorRuntime runtime)
    {
        var body = await ReadBodyAsync(http.Request);
        var options = runtime.Options;
        if (body.GetValueOrDefault("client_id") != options.ApiKey || body.GetValueOrDefault("client_secret") != options.ApiSecret)
            return Error(401, "invalid_client", "Client credentials are invalid.");

        var shop = runtime.Store.Find(http.Request.Host.Host);
        if (shop is null) return Error(400, "invalid_request", "Unknown shop.");
        var now = runtime.Time.GetUtcNow();
        var expiring = body.GetValueOrDefault("expiring") == "1";

        lock (shop.Sync)
        {
            var installation = shop.Installation;
            switch (body.GetValueOrDefault("grant_type"))
            {
                case null or "authorization_code":
                    var code = body.GetValueOrDefault("code");
                    if (code is null || !runtime.Store.AuthorizationCodes.TryRemove(code, out var grant) || grant.Shop != shop.Domain || grant.ExpiresAt < now)
                        return Error(400, "invalid_grant", "The authorization code is invalid, expired or already used.");
                    return Issue(shop, installation!, expiring, runtime);

                case TokenExchangeGrant:
                    if (installation is not { IsInstalled: true }) return Error(400, "invalid_subject_token", "Subject token is invalid");
                    var subject = body.GetValueOrDefault("subject_token") ?? "";
                    var subjectType = body.GetValueOrDefault("subject_token_type");
                    var valid = subjectType switch
                    {
                        IdTokenType => SessionTokens.ValidShop(subject, options.ApiKey, options.ApiSecret, now) == shop.Domain,
                        OfflineTokenType => installation.AccessTokens.TryGetValue(subject, out var expiry) && expiry is null,
                        _ => false,
                    };
                    if (!valid) return Error(400, "invalid_subject_token", "Subject token is invalid");
                    if (body.GetValueOrDefault("requested_token_type") is not (OfflineTokenType or OnlineTokenType))
                        return Error(400, "invalid_request", "requested_token_type is invalid.");
                    if (subjectType == OfflineTokenType) installation.AccessTokens.Remove(subject);
                    return Issue(shop, installation, expiring || subjectType == OfflineTokenType, runtime);

                case "refresh_token":
                    if (installation is not { IsInstalled: true }) return Error(400, "invalid_grant", "The app is not installed.");
                    var presented = body.GetValueOrDefault("refresh_token");
                    var current = installation.RefreshToken;
                    var previous = installation.PreviousRefreshToken;
                    var matchesCurrent = current is not null && presented == current.Token && current.ExpiresAt > now;
                    var matchesPrevious = previous is not null && presented == previous.Token && previous.ExpiresAt > now;
                    if (!matchesCurrent && !matchesPrevious) return Error(400, "invalid_grant", "The refresh token is invalid or expired.");
                    return Issue(shop, installation, expiring: true, runtime, rotatedFrom: matchesCurrent ? current : null);

                default:
                    return Error(400, "unsupported_grant_type", "The grant type is not supported.");
            }
        }
    }

    private static IResult Issue(SimulatedShop shop, AppInstallation installation, bool expiring, SimulatorRuntime runtime, IssuedRefreshToken? rotatedFrom = null)
    {
        var now = runtime.Time.GetUtcNow();
        var scope = string.Join(',', installation.Scopes.Order());
        if (!expiring)
        {
            // Legacy non-expiring tokens: re-authorising returns the same token.
            var legacy = installation.AccessTokens.FirstOrDefault(t => t.Value is null).Key ?? NewToken("shpat_");
            installation.AccessTokens[legacy] = null;
            return Results.Json(new { access_token = legacy, scope });
        }

        // One expiring token per app and shop: issuing one revokes the others.
        foreach (var token in installation.AccessTokens.Where(t => t.Value is not null).Select(t => t.Key).ToList())
            installation.AccessTokens.Remove(token);
        var access = NewToken("shpat_");
        installation.AccessTokens[access] = now + runtime.Options.AccessTokenLifetime;
        // The replaced refresh token stays usable until its successor is used (Shopify's retry window).
        installation.PreviousRefreshToken = rotatedFrom;
        installation.RefreshToken = new IssuedRefreshToken(NewToken("shprt_"), now + runtime.Options.RefreshTokenLifetime);
        return Results.Json(new
        {
            access_token = access,
            scope,
            expires_in = (long)runtime.Options.AccessTokenLifetime.TotalSeconds,
            refresh_token = installation.RefreshToken.Token,
            refresh_token_expires_in = (long)runtime.Options.RefreshTokenLifetime.TotalSeconds,
        });
    }

    private static string NewToken(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);

    private static async Task<Dictionary<string, string?>> ReadBodyAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
            return (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => (string?)f.Value.ToString());
        using var document = await JsonDocument.ParseAsync(request.Body);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText());
    }
}

/// <summary>Signs query strings the way Shopify signs OAuth callbacks and admin links (sorted k=v, hex HMAC-SHA256).</summary>
public static class QuerySigner
{
    public static string Sign(string secret, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var message = string.Join('&', parameters
            .Where(p => p.Key != "hmac")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));
    }
}
