using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace WinBack.Shopify;

/// <summary>An offline access token as Shopify issued it. Expiring tokens come with a rotated refresh token.</summary>
public sealed record IssuedAccessToken(string AccessToken, string Scope, DateTimeOffset? ExpiresAt, string? RefreshToken, DateTimeOffset? RefreshTokenExpiresAt)
{
    public override string ToString() => $"token for scopes {Scope}, expires {ExpiresAt:O}";
}

/// <summary>Shopify refused a grant (invalid_grant, invalid_subject_token, ...). Not retryable with the same input.</summary>
public sealed class ShopifyOAuthException(string error, string? description, HttpStatusCode status)
    : ShopifyApiException($"Shopify refused the token request: {error} {description}".Trim(), status)
{
    public string Error { get; } = error;
}

/// <summary>POST /admin/oauth/access_token with the three grants: token exchange, authorization code, refresh token.</summary>
public sealed class ShopifyOAuthClient(HttpClient http, IOptions<ShopifyOptions> options, TimeProvider time)
{
    private const string TokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string IdTokenType = "urn:ietf:params:oauth:token-type:id_token";
    private const string OfflineTokenType = "urn:shopify:params:oauth:token-type:offline-access-token";

    /// <summary>Managed install: the session token of the first embedded load becomes an expiring offline token.</summary>
    public Task<IssuedAccessToken> ExchangeSessionTokenAsync(string shopDomain, string clientId, string clientSecret, string idToken, CancellationToken cancellationToken = default) =>
        RequestAsync(shopDomain, new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["grant_type"] = TokenExchangeGrant,
            ["subject_token"] = idToken,
            ["subject_token_type"] = IdTokenType,
            ["requested_token_type"] = OfflineTokenType,
            ["expiring"] = "1",
        }, cancellationToken);

    public Task<IssuedAccessToken> ExchangeCodeAsync(string shopDomain, string clientId, string clientSecret, string code, CancellationToken cancellationToken = default) =>
        RequestAsync(shopDomain, new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["code"] = code,
            ["expiring"] = "1",
        }, cancellationToken);

    public Task<IssuedAccessToken> RefreshAsync(string shopDomain, string clientId, string clientSecret, string refreshToken, CancellationToken cancellationToken = default) =>
        RequestAsync(shopDomain, new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    private async Task<IssuedAccessToken> RequestAsync(string shopDomain, Dictionary<string, string> body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(options.Value.AdminUrl(shopDomain, "oauth/access_token"), body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancellationToken);
            throw new ShopifyOAuthException(error?.Error ?? $"http_{(int)response.StatusCode}", error?.ErrorDescription, response.StatusCode);
        }
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new ShopifyApiException("Shopify answered the token request with an empty body.", response.StatusCode);
        var now = time.GetUtcNow();
        return new IssuedAccessToken(
            token.AccessToken,
            token.Scope ?? "",
            token.ExpiresIn is { } expiresIn ? now.AddSeconds(expiresIn) : null,
            token.RefreshToken,
            token.RefreshTokenExpiresIn is { } refreshExpiresIn ? now.AddSeconds(refreshExpiresIn) : null);
    }

    private static async Task<ErrorResponse?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<ErrorResponse>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("scope")] string? Scope,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn,
        [property: JsonPropertyName("refresh_token")] string? RefreshToken,
        [property: JsonPropertyName("refresh_token_expires_in")] long? RefreshTokenExpiresIn);

    private sealed record ErrorResponse(
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}
