using System.Text.Json;

namespace WinBack.Web.Sync;

/// <summary>Optional fields of Shopify payloads (bulk JSONL and webhooks): absent or null reads as null.</summary>
internal static class JsonFields
{
    /// <summary>A string field, without NUL characters: JSON may carry them, PostgreSQL text cannot hold them.</summary>
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Replace("\0", "", StringComparison.Ordinal) : null;

    public static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
