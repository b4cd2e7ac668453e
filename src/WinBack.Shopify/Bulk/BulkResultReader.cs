using System.Runtime.CompilerServices;
using System.Text.Json;

namespace WinBack.Shopify;

/// <summary>
/// Streams a bulk operation's JSONL result: each line is parsed as it arrives, so a file of any size is read
/// in constant memory. Lines of nested connections carry "__parentId" and need not sit next to their parent.
/// </summary>
public sealed class BulkResultReader(HttpClient http)
{
    public async IAsyncEnumerable<JsonElement> ReadLinesAsync(Uri url, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new ShopifyApiException($"Downloading the bulk result failed with {(int)response.StatusCode}; the link may have expired.", response.StatusCode);

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0) continue;
            using var document = JsonDocument.Parse(line);
            yield return document.RootElement.Clone();
        }
    }

    /// <summary>The parent gid of a nested line, or null for a top-level object.</summary>
    public static string? ParentId(JsonElement line) =>
        line.TryGetProperty("__parentId", out var parent) ? parent.GetString() : null;

    public static T Deserialize<T>(JsonElement line) =>
        line.Deserialize<T>(ShopifyJson.Options) ?? throw new JsonException($"A bulk line could not be read as {typeof(T).Name}.");
}
