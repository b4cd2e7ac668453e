using System.Text.Json;

namespace WinBack.Web.Sync;

/// <summary>Shopify payloads (bulk JSONL and webhooks): optional fields, absent or null, read as null; a delivered body applied or set aside.</summary>
internal static class JsonFields
{
    /// <summary>
    /// Parses a delivered body and hands it to <paramref name="apply"/>. Returns null, or why the body cannot be applied (not
    /// JSON, or lacking what its topic needs): retrying cannot fix that. Any other error is not the body's, and is thrown.
    /// </summary>
    public static async Task<string?> ApplyBodyAsync(string topic, string body, Func<JsonElement, Task> apply)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            await apply(document.RootElement);
            return null;
        }
        catch (JsonException e)
        {
            return $"The body is not valid JSON: {e.Message}";
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"The body lacks what {topic} needs: {e.Message}";
        }
    }

    /// <summary>A string field, without NUL characters: JSON may carry them, PostgreSQL text cannot hold them.</summary>
    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Replace("\0", "", StringComparison.Ordinal) : null;

    public static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().ToUniversalTime() : null;
}
