using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace WinBack.Shopify;

/// <summary>
/// Streams a bulk operation's JSONL result: bytes are split into lines and each line is parsed as it arrives, so a
/// file of any size is read in constant memory. Lines of nested connections carry "__parentId" and need not sit next
/// to their parent. Each element is valid until the loop moves on (its document is then returned to the pool):
/// read what you need from it inside the loop body, or <see cref="JsonElement.Clone"/> it.
/// </summary>
public sealed class BulkResultReader(HttpClient http)
{
    private static readonly byte[] ParentMarker = "\"__parentId\""u8.ToArray();

    /// <summary>Every line of the file.</summary>
    public IAsyncEnumerable<JsonElement> ReadLinesAsync(Uri url, CancellationToken cancellationToken = default) =>
        ReadLinesAsync(url, BulkLines.All, cancellationToken);

    /// <summary>The lines of one kind: top-level objects or nested ones. The other kind is skipped without being parsed.</summary>
    public async IAsyncEnumerable<JsonElement> ReadLinesAsync(Uri url, BulkLines which, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new ShopifyApiException($"Downloading the bulk result failed with {(int)response.StatusCode}; the link may have expired.", response.StatusCode);

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                var read = await pipe.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    if (line.Length == 0 || !Wanted(line, which)) continue;
                    using var document = JsonDocument.Parse(line);
                    yield return document.RootElement;
                }
                if (read.IsCompleted)
                {
                    if (buffer.Length > 0 && Wanted(buffer, which))
                    {
                        using var last = JsonDocument.Parse(buffer);
                        yield return last.RootElement;
                    }
                    break;
                }
                pipe.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await pipe.CompleteAsync();
        }
    }

    private static bool Wanted(ReadOnlySequence<byte> line, BulkLines which)
    {
        if (which == BulkLines.All) return true;
        var nested = line.IsSingleSegment ? line.FirstSpan.IndexOf(ParentMarker) >= 0 : line.ToArray().AsSpan().IndexOf(ParentMarker) >= 0;
        return nested == (which == BulkLines.Nested);
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>The parent gid of a nested line, or null for a top-level object.</summary>
    public static string? ParentId(JsonElement line) =>
        line.TryGetProperty("__parentId", out var parent) ? parent.GetString() : null;

    public static T Deserialize<T>(JsonElement line) =>
        line.Deserialize<T>(ShopifyJson.Options) ?? throw new JsonException($"A bulk line could not be read as {typeof(T).Name}.");
}

/// <summary>Which lines of a bulk result to read.</summary>
public enum BulkLines
{
    All,
    /// <summary>The connection's own objects (no "__parentId").</summary>
    TopLevel,
    /// <summary>Objects of nested connections (with "__parentId").</summary>
    Nested,
}
