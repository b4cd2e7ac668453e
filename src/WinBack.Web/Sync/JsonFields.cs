using System.Text.Json;

namespace WinBack.Web.Sync;

/// <summary>Optional fields of Shopify payloads (bulk JSONL and webhooks): absent or null reads as null.</summary>
internal static class JsonFields
{
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
