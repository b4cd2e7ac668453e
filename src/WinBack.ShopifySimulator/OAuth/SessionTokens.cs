using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace WinBack.ShopifySimulator.OAuth;

/// <summary>Session tokens (id_token) as Shopify admin mints them: HS256 JWT signed with the app's client secret, 60 s lifetime.</summary>
public static class SessionTokens
{
    public static string Mint(string shopDomain, string apiKey, string apiSecret, DateTimeOffset now, TimeSpan lifetime, long userId = 116374339909)
    {
        var iat = now.ToUnixTimeSeconds();
        var header = new { alg = "HS256", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = $"https://{shopDomain}/admin",
            ["dest"] = $"https://{shopDomain}",
            ["aud"] = apiKey,
            ["sub"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["exp"] = iat + (long)lifetime.TotalSeconds,
            ["nbf"] = iat,
            ["iat"] = iat,
            ["jti"] = Guid.NewGuid().ToString(),
            ["sid"] = Guid.NewGuid().ToString(),
        };
        var signingInput = $"{Encode(JsonSerializer.SerializeToUtf8Bytes(header))}.{Encode(JsonSerializer.SerializeToUtf8Bytes(payload))}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiSecret), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Encode(signature)}";
    }

    /// <summary>The shop a valid, unexpired token was minted for, or null (token exchange checks subject tokens with this).</summary>
    public static string? ValidShop(string token, string apiKey, string apiSecret, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiSecret), Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        byte[] actual;
        try
        {
            actual = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, actual)) return null;

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var root = payload.RootElement;
        var leeway = 10;
        if (root.GetProperty("aud").GetString() != apiKey) return null;
        if (root.GetProperty("exp").GetInt64() + leeway < now.ToUnixTimeSeconds()) return null;
        if (root.GetProperty("nbf").GetInt64() - leeway > now.ToUnixTimeSeconds()) return null;
        var dest = root.GetProperty("dest").GetString();
        return dest?.StartsWith("https://", StringComparison.Ordinal) == true ? dest["https://".Length..] : null;
    }

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);
}
