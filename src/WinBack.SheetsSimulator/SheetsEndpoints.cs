using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace WinBack.SheetsSimulator;

/// <summary>
/// Google's token endpoint for the service-account JWT grant (RS256 signature checked against the account's key) and
/// the Sheets v4 calls WinBack makes: spreadsheets.get, spreadsheets.batchUpdate (addSheet, updateSheetProperties,
/// atomic), values.update, values.batchUpdate, values.clear and values.get, with grid limits, the cell limit, per-minute
/// quotas per service account (429 RESOURCE_EXHAUSTED) and permission errors in Google's error format.
/// </summary>
public static class SheetsEndpoints
{
    public const string Scope = "https://www.googleapis.com/auth/spreadsheets";
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";

    public static IEndpointRouteBuilder MapSheetsSimulator(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/token", Token);
        routes.MapMethods("/v4/spreadsheets/{**rest}", ["GET", "PUT", "POST"], Sheets);
        return routes;
    }

    private static async Task<IResult> Token(HttpRequest request, SheetsStore store, TimeProvider time)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != JwtBearer) return OAuthError("unsupported_grant_type", "Invalid grant_type.");
        var parts = form["assertion"].ToString().Split('.');
        if (parts.Length != 3) return OAuthError("invalid_grant", "Invalid JWT.");
        try
        {
            using var header = JsonDocument.Parse(Base64Url(parts[0]));
            using var claims = JsonDocument.Parse(Base64Url(parts[1]));
            var c = claims.RootElement;
            if (header.RootElement.GetProperty("alg").GetString() != "RS256") return OAuthError("invalid_grant", "Invalid JWT: only RS256 is accepted.");
            var email = c.GetProperty("iss").GetString()!;
            RSA? key;
            lock (store.Sync) key = store.ServiceAccounts.GetValueOrDefault(email);
            if (key is null) return OAuthError("invalid_grant", "Invalid grant: account not found");
            if (!key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
                return OAuthError("invalid_grant", "Invalid JWT Signature.");
            // Google wants its token URL as the audience; Google.Apis.Auth writes that one whatever server it posts to.
            var tokenUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/token";
            var audience = c.GetProperty("aud").GetString();
            if (audience != GoogleTokenUrl && audience != tokenUrl) return OAuthError("invalid_grant", $"Invalid JWT: audience {audience} is not the token URL.");
            var now = time.GetUtcNow().ToUnixTimeSeconds();
            var (iat, exp) = (c.GetProperty("iat").GetInt64(), c.GetProperty("exp").GetInt64());
            if (exp <= now || iat > now + 300 || exp - iat > 3600) return OAuthError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
            if (!(c.TryGetProperty("scope", out var scope) && scope.GetString()!.Split(' ').Contains(Scope)))
                return OAuthError("invalid_scope", "The spreadsheets scope was not requested.");

            var token = "ya29.sim-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            lock (store.Sync)
            {
                store.TokenRequests++;
                store.AccessTokens[token] = (email, time.GetUtcNow().AddHours(1));
            }
            return Results.Json(new { access_token = token, expires_in = 3599, token_type = "Bearer" });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return OAuthError("invalid_grant", "Invalid JWT.");
        }
    }

    private static async Task<IResult> Sheets(HttpContext http, SheetsStore store, IOptions<SheetsSimulatorOptions> options, TimeProvider time)
    {
        var request = http.Request;
        var token = request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : "";
        string email;
        lock (store.Sync)
        {
            if (!store.AccessTokens.TryGetValue(token, out var owner) || owner.ExpiresAt <= time.GetUtcNow())
                return Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
            email = owner.Email;
        }

        var rest = request.Path.Value!["/v4/spreadsheets/".Length..];
        var (id, action) = SplitAction(rest);
        var slash = id.IndexOf('/');
        var range = slash < 0 ? null : id[(slash + 1)..];
        id = slash < 0 ? id : id[..slash];
        var isWrite = request.Method != "GET";
        if (!TakeQuota(store, options.Value, time, email, isWrite))
            return Error(429, "RESOURCE_EXHAUSTED",
                $"Quota exceeded for quota metric '{(isWrite ? "Write" : "Read")} requests' and limit '{(isWrite ? "Write" : "Read")} requests per minute per user' of service 'sheets.googleapis.com'.");

        JsonNode? body = request.ContentLength is > 0 || request.Method != "GET" ? await JsonNode.ParseAsync(request.Body) : null;
        if (store.BeforeRequest is { } beforeRequest) await beforeRequest(request.Method, rest);
        lock (store.Sync)
        {
            if (!store.Spreadsheets.TryGetValue(id, out var sheet)) return Error(404, "NOT_FOUND", "Requested entity was not found.");
            if (!sheet.Editors.Contains(email)) return Error(403, "PERMISSION_DENIED", "The caller does not have permission");
            return (request.Method, range, action) switch
            {
                ("GET", null, null) => Results.Json(Describe(sheet)),
                ("POST", null, "batchUpdate") => BatchUpdate(sheet, body, options.Value),
                ("PUT", not null, null) when range != "values" => WriteValues(sheet, [(range["values/".Length..], body?["values"])], request.Query["valueInputOption"]),
                ("POST", "values", "batchUpdate") => WriteValues(sheet,
                    (body?["data"]?.AsArray() ?? []).Select(d => (d!["range"]!.GetValue<string>(), d["values"])).ToList(), body?["valueInputOption"]?.GetValue<string>()),
                ("POST", not null, "clear") => Clear(sheet, range["values/".Length..]),
                ("GET", not null, null) => ReadValues(sheet, range["values/".Length..]),
                _ => Error(404, "NOT_FOUND", "Method not found."),
            };
        }
    }

    private static (string Path, string? Action) SplitAction(string rest)
    {
        var colon = rest.LastIndexOf(':');
        return colon > 0 && rest[(colon + 1)..] is "batchUpdate" or "clear" ? (rest[..colon], rest[(colon + 1)..]) : (rest, null);
    }

    private static bool TakeQuota(SheetsStore store, SheetsSimulatorOptions options, TimeProvider time, string email, bool write)
    {
        var now = time.GetUtcNow();
        lock (store.Sync)
        {
            var key = (email, write ? "write" : "read");
            if (!store.Requests.TryGetValue(key, out var recent)) store.Requests[key] = recent = new Queue<DateTimeOffset>();
            while (recent.Count > 0 && now - recent.Peek() >= options.QuotaWindow) recent.Dequeue();
            if (recent.Count >= (write ? options.WriteRequestsPerWindow : options.ReadRequestsPerWindow))
            {
                store.QuotaRejections++;
                return false;
            }
            recent.Enqueue(now);
            if (write) store.WriteRequests++;
            else store.ReadRequests++;
            return true;
        }
    }

    private static object Describe(SimulatedSpreadsheet sheet) => new
    {
        spreadsheetId = sheet.Id,
        properties = new { title = sheet.Title },
        sheets = sheet.Tabs.Select(t => new { properties = new { sheetId = t.SheetId, title = t.Title, gridProperties = new { rowCount = t.RowCount, columnCount = t.ColumnCount } } }),
    };

    /// <summary>All requests are checked before any is applied: one invalid request changes nothing.</summary>
    private static IResult BatchUpdate(SimulatedSpreadsheet sheet, JsonNode? body, SheetsSimulatorOptions options)
    {
        var planned = sheet.Tabs.Select(t => (t.SheetId, t.Title, t.RowCount, t.ColumnCount)).ToList();
        var replies = new List<object>();
        var nextId = sheet.NextSheetId;
        foreach (var request in body?["requests"]?.AsArray() ?? [])
        {
            if (request?["addSheet"]?["properties"] is { } add)
            {
                var title = add["title"]?.GetValue<string>() ?? $"Sheet{nextId + 1}";
                if (planned.Any(p => p.Title.Equals(title, StringComparison.OrdinalIgnoreCase)))
                    return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count}].addSheet: A sheet with the name \"{title}\" already exists. Please enter another name.");
                var grid = add["gridProperties"];
                var tab = (nextId++, title, grid?["rowCount"]?.GetValue<int>() ?? 1000, grid?["columnCount"]?.GetValue<int>() ?? 26);
                planned.Add(tab);
                replies.Add(new { addSheet = new { properties = new { sheetId = tab.Item1, title, gridProperties = new { rowCount = tab.Item3, columnCount = tab.Item4 } } } });
            }
            else if (request?["updateSheetProperties"] is { } update)
            {
                var fields = update["fields"]?.GetValue<string>();
                if (string.IsNullOrEmpty(fields)) return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count}].updateSheetProperties: You must specify at least one field to update.");
                var properties = update["properties"]!;
                var index = planned.FindIndex(p => p.SheetId == (properties["sheetId"]?.GetValue<int>() ?? 0));
                if (index < 0) return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count}].updateSheetProperties: No grid with id: {properties["sheetId"]}");
                var p = planned[index];
                if (fields.Contains("rowCount") || fields == "*") p.RowCount = properties["gridProperties"]?["rowCount"]?.GetValue<int>() ?? p.RowCount;
                if (fields.Contains("columnCount") || fields == "*") p.ColumnCount = properties["gridProperties"]?["columnCount"]?.GetValue<int>() ?? p.ColumnCount;
                if (fields.Contains("title") || fields == "*") p.Title = properties["title"]?.GetValue<string>() ?? p.Title;
                if (p.RowCount < 1 || p.ColumnCount < 1) return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count}].updateSheetProperties: a sheet needs at least one row and one column.");
                planned[index] = p;
                replies.Add(new { });
            }
            else
            {
                return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count}]: this simulator knows addSheet and updateSheetProperties.");
            }
            var cells = planned.Sum(t => (long)t.RowCount * t.ColumnCount);
            if (cells > options.MaxCells)
                return Error(400, "INVALID_ARGUMENT", $"Invalid requests[{replies.Count - 1}]: This action would increase the number of cells in the workbook above the limit of {options.MaxCells} cells.");
        }

        sheet.NextSheetId = nextId;
        foreach (var (sheetId, title, rows, columns) in planned)
        {
            var tab = sheet.Tabs.FirstOrDefault(t => t.SheetId == sheetId);
            if (tab is null) sheet.Tabs.Add(tab = new SimulatedTab(sheetId, title, rows, columns));
            (tab.Title, tab.RowCount, tab.ColumnCount) = (title, rows, columns);
            foreach (var cell in tab.Cells.Keys.Where(k => k.Row >= rows || k.Column >= columns).ToList())
            {
                tab.Cells.Remove(cell);
                tab.Formulas.Remove(cell);
            }
        }
        return Results.Json(new { spreadsheetId = sheet.Id, replies });
    }

    private static IResult WriteValues(SimulatedSpreadsheet sheet, IReadOnlyList<(string Range, JsonNode? Values)> data, string? valueInputOption)
    {
        if (valueInputOption is not ("RAW" or "USER_ENTERED"))
            return Error(400, "INVALID_ARGUMENT", "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED");
        var writes = new List<(SimulatedTab Tab, int Row, int Column, string Value)>();
        foreach (var (text, values) in data)
        {
            var range = A1Range.Parse(text);
            var tab = range is null ? null : sheet.Tabs.FirstOrDefault(t => t.Title == range.Tab);
            if (range is null || tab is null) return Error(400, "INVALID_ARGUMENT", $"Unable to parse range: {text}");
            var rows = values?.AsArray() ?? [];
            var firstRow = range.FirstRow ?? 0;
            var firstColumn = range.FirstColumn ?? 0;
            var lastRow = firstRow + rows.Count - 1;
            var lastColumn = firstColumn + (rows.Count == 0 ? 0 : rows.Max(r => r!.AsArray().Count)) - 1;
            if (lastRow >= tab.RowCount || lastColumn >= tab.ColumnCount)
                return Error(400, "INVALID_ARGUMENT",
                    $"Range ('{tab.Title}'!{A1Range.ColumnName(firstColumn)}{firstRow + 1}:{A1Range.ColumnName(lastColumn)}{lastRow + 1}) exceeds grid limits. Max rows: {tab.RowCount}, max columns: {tab.ColumnCount}");
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r]!.AsArray();
                for (var c = 0; c < row.Count; c++)
                    writes.Add((tab, firstRow + r, firstColumn + c, row[c] is JsonValue v ? v.ToString() : ""));
            }
        }
        foreach (var (tab, row, column, value) in writes)
        {
            if (value.Length == 0) tab.Cells.Remove((row, column));
            else tab.Cells[(row, column)] = value;
            if (valueInputOption == "USER_ENTERED" && value.StartsWith('=')) tab.Formulas.Add((row, column));
            else tab.Formulas.Remove((row, column));
        }
        return Results.Json(new
        {
            spreadsheetId = sheet.Id,
            totalUpdatedRows = writes.Select(w => (w.Tab.SheetId, w.Row)).Distinct().Count(),
            totalUpdatedColumns = writes.Select(w => (w.Tab.SheetId, w.Column)).Distinct().Count(),
            totalUpdatedCells = writes.Count,
            totalUpdatedSheets = writes.Select(w => w.Tab.SheetId).Distinct().Count(),
        });
    }

    private static IResult Clear(SimulatedSpreadsheet sheet, string text)
    {
        var range = A1Range.Parse(text);
        var tab = range is null ? null : sheet.Tabs.FirstOrDefault(t => t.Title == range.Tab);
        if (range is null || tab is null) return Error(400, "INVALID_ARGUMENT", $"Unable to parse range: {text}");
        foreach (var cell in tab.Cells.Keys.Where(k => Within(range, k)).ToList())
        {
            tab.Cells.Remove(cell);
            tab.Formulas.Remove(cell);
        }
        return Results.Json(new { spreadsheetId = sheet.Id, clearedRange = text });
    }

    /// <summary>values.get: the range's cells as rows, trailing empty cells and rows trimmed; Google leaves "values" out when all are empty.</summary>
    private static IResult ReadValues(SimulatedSpreadsheet sheet, string text)
    {
        var range = A1Range.Parse(text);
        var tab = range is null ? null : sheet.Tabs.FirstOrDefault(t => t.Title == range.Tab);
        if (range is null || tab is null) return Error(400, "INVALID_ARGUMENT", $"Unable to parse range: {text}");
        var cells = tab.Cells.Where(c => Within(range, c.Key)).ToList();
        if (cells.Count == 0) return Results.Json(new { range = text, majorDimension = "ROWS" });
        var (top, left) = (range.FirstRow ?? 0, range.FirstColumn ?? 0);
        var values = Enumerable.Range(top, cells.Max(c => c.Key.Row) - top + 1).Select(row =>
        {
            var inRow = cells.Where(c => c.Key.Row == row).ToList();
            var width = inRow.Count == 0 ? 0 : inRow.Max(c => c.Key.Column) - left + 1;
            return Enumerable.Range(left, width).Select(column => tab.Cells.GetValueOrDefault((row, column), "")).ToList();
        }).ToList();
        return Results.Json(new { range = text, majorDimension = "ROWS", values });
    }

    private static bool Within(A1Range range, (int Row, int Column) cell) =>
        (range.FirstRow is null || cell.Row >= range.FirstRow) && (range.LastRow is null || cell.Row <= range.LastRow)
        && (range.FirstColumn is null || cell.Column >= range.FirstColumn) && (range.LastColumn is null || cell.Column <= range.LastColumn);

    private static IResult Error(int code, string status, string message) =>
        Results.Json(new { error = new { code, message, status } }, statusCode: code);

    private static IResult OAuthError(string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: 400);

    private static byte[] Base64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
    }
}
