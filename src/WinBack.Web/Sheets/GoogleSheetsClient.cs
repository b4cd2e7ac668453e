using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace WinBack.Web.Sheets;

public sealed record SheetTab(int SheetId, string Title, int RowCount, int ColumnCount);

public sealed record SpreadsheetInfo(string Id, string Title, IReadOnlyList<SheetTab> Tabs);

/// <summary>
/// The Sheets v4 REST calls WinBack makes, over a typed HttpClient (Google.Apis.Sheets.v4 is not on our package mirror).
/// Values are always written with valueInputOption=RAW, so a customer named "=HYPERLINK(...)" stays text. A 429 (the
/// per-minute quota) or a 5xx is retried with exponential backoff; other failures become typed exceptions that carry a
/// sentence for the merchant.
/// </summary>
public sealed class GoogleSheetsClient(HttpClient http, SheetsAccessTokens tokens, IOptions<SheetsOptions> options, TimeProvider time, ILogger<GoogleSheetsClient> logger)
{
    public async Task<SpreadsheetInfo> GetSpreadsheetAsync(string spreadsheetId, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, $"v4/spreadsheets/{Uri.EscapeDataString(spreadsheetId)}?fields=spreadsheetId,properties.title,sheets.properties", null, cancellationToken);
        var root = document.RootElement;
        var tabs = root.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("properties")).Select(p => new SheetTab(
            p.GetProperty("sheetId").GetInt32(), p.GetProperty("title").GetString()!,
            p.GetProperty("gridProperties").GetProperty("rowCount").GetInt32(), p.GetProperty("gridProperties").GetProperty("columnCount").GetInt32())).ToList();
        return new SpreadsheetInfo(root.GetProperty("spreadsheetId").GetString()!, root.GetProperty("properties").GetProperty("title").GetString()!, tabs);
    }

    /// <summary>spreadsheets.batchUpdate: the requests apply together or not at all. Returns the replies.</summary>
    public async Task<JsonElement> BatchUpdateAsync(string spreadsheetId, IReadOnlyList<object> requests, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Post, $"v4/spreadsheets/{Uri.EscapeDataString(spreadsheetId)}:batchUpdate", new { requests }, cancellationToken);
        return document.RootElement.GetProperty("replies").Clone();
    }

    /// <summary>values.batchUpdate with RAW input: several ranges in one write request.</summary>
    public async Task WriteValuesAsync(string spreadsheetId, IReadOnlyList<(string Range, IReadOnlyList<IReadOnlyList<string>> Rows)> data, CancellationToken cancellationToken)
    {
        var body = new { valueInputOption = "RAW", data = data.Select(d => new { range = d.Range, majorDimension = "ROWS", values = d.Rows }) };
        using var _ = await SendAsync(HttpMethod.Post, $"v4/spreadsheets/{Uri.EscapeDataString(spreadsheetId)}/values:batchUpdate", body, cancellationToken);
    }

    /// <summary>values.get: the range's values as rows (trailing empty cells and rows left out, as Google does).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> GetValuesAsync(string spreadsheetId, string range, CancellationToken cancellationToken)
    {
        using var document = await SendAsync(HttpMethod.Get, $"v4/spreadsheets/{Uri.EscapeDataString(spreadsheetId)}/values/{Uri.EscapeDataString(range)}", null, cancellationToken);
        return document.RootElement.TryGetProperty("values", out var rows)
            ? rows.EnumerateArray().Select(r => (IReadOnlyList<string>)r.EnumerateArray().Select(c => c.ToString()).ToList()).ToList()
            : [];
    }

    public async Task ClearValuesAsync(string spreadsheetId, string range, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(HttpMethod.Post, $"v4/spreadsheets/{Uri.EscapeDataString(spreadsheetId)}/values/{Uri.EscapeDataString(range)}:clear", new { }, cancellationToken);
    }

    /// <summary>An A1 range for a tab, quoted as Sheets wants ('It''s mine'!A1:L10).</summary>
    public static string Range(string tab, string cells) => $"'{tab.Replace("'", "''")}'!{cells}";

    private async Task<JsonDocument> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            HttpResponseMessage sent;
            try
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
                if (body is not null) request.Content = JsonContent.Create(body);
                sent = await http.SendAsync(request, cancellationToken);
            }
            catch (Exception e) when (Unanswered(e, cancellationToken))
            {
                // No answer from Google (its token endpoint or Sheets): a failed run the merchant sees, tried again at the
                // next run. Not retried here: a timeout is 100 s, and retries would hold a Sheets worker for minutes.
                throw new SheetsUnreachableException(e);
            }
            using var response = sent;
            if (response.IsSuccessStatusCode)
                return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);

            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            if (retryable && attempt < o.MaxRetries)
            {
                var delay = response.Headers.RetryAfter?.Delta ?? o.RetryBaseDelay * Math.Pow(2, attempt);
                logger.LogInformation("Sheets answered {Status}; retrying in {Delay}", (int)response.StatusCode, delay);
                await Task.Delay(delay, time, cancellationToken);
                continue;
            }
            var message = await ErrorMessageAsync(response, cancellationToken);
            throw response.StatusCode switch
            {
                HttpStatusCode.Forbidden => new SheetsPermissionDeniedException(o.ServiceAccountEmail ?? "WinBack's service account"),
                HttpStatusCode.NotFound => new SheetsNotFoundException(),
                HttpStatusCode.TooManyRequests => new SheetsQuotaExceededException(),
                HttpStatusCode.Unauthorized => new SheetsAuthenticationException(message),
                HttpStatusCode.BadRequest when message.Contains("exceeds grid limits", StringComparison.Ordinal) || message.Contains("above the limit of", StringComparison.Ordinal)
                    => new SheetsLimitException(message),
                _ => new SheetsException($"Google Sheets refused the update: {message}", (int)response.StatusCode),
            };
        }
    }

    /// <summary>Whether <paramref name="e"/> means no answer came: no connection, or the client's timeout (not the caller's cancellation).</summary>
    private static bool Unanswered(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var error = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return error.RootElement.GetProperty("error").GetProperty("message").GetString() ?? response.ReasonPhrase ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return response.ReasonPhrase ?? $"HTTP {(int)response.StatusCode}";
        }
    }
}
