using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace WinBack.SheetsSimulator;

/// <summary>
/// What a person running the demo does in Google's own editor: the spreadsheets (a new one is shared with every service
/// account, as its owner would share it), each tab as a table, and typing into a cell (the verification code). A
/// spreadsheet's page address ends in /spreadsheets/d/{id}, as Google's does, so it can be pasted into WinBack.
/// </summary>
public static class SpreadsheetPages
{
    private const int RowsShown = 500;

    public static IEndpointRouteBuilder MapSpreadsheetPages(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Index);
        routes.MapPost("/spreadsheets", Create);
        routes.MapGet("/spreadsheets/d/{id}", Show);
        routes.MapPost("/spreadsheets/d/{id}/cells", TypeIntoCell);
        return routes;
    }

    private static IResult Index(SheetsStore store)
    {
        var html = new StringBuilder("<h1>Simulated Google Sheets</h1>");
        var accounts = store.ServiceAccountEmails();
        html.Append("<p>Service accounts: ").Append(accounts.Count == 0 ? "none" : Encode(string.Join(", ", accounts))).Append("</p>");
        html.Append("<form method=post action=/spreadsheets><input name=title value=\"Win-back customers\"> <button>New spreadsheet shared with the service accounts</button></form><ul>");
        lock (store.Sync)
            foreach (var sheet in store.Spreadsheets.Values)
                html.Append($"<li><a href=\"/spreadsheets/d/{sheet.Id}\">{Encode(sheet.Title)}</a>: {sheet.Tabs.Count} tabs</li>");
        return Page("Simulated Google Sheets", html.Append("</ul>"));
    }

    private static async Task<IResult> Create(HttpRequest request, SheetsStore store)
    {
        var form = await request.ReadFormAsync();
        var title = form["title"].ToString() is { Length: > 0 } given ? given : "Untitled spreadsheet";
        var sheet = store.CreateSpreadsheet(title, [.. store.ServiceAccountEmails()]);
        return Results.Redirect($"/spreadsheets/d/{sheet.Id}");
    }

    /// <summary>Every tab as a table (the first <see cref="RowsShown"/> rows), or only <paramref name="tab"/>.</summary>
    private static IResult Show(string id, string? tab, HttpRequest request, SheetsStore store)
    {
        var html = new StringBuilder();
        lock (store.Sync)
        {
            if (!store.Spreadsheets.TryGetValue(id, out var sheet)) return Results.NotFound("No spreadsheet has this id.");
            html.Append($"<p><a href=\"/\">All spreadsheets</a></p><h1>{Encode(sheet.Title)}</h1>");
            html.Append($"<p>Address to paste into WinBack: <code>{Encode($"{request.Scheme}://{request.Host}/spreadsheets/d/{sheet.Id}")}</code><br>");
            html.Append($"Shared with: {Encode(string.Join(", ", sheet.Editors))}</p>");
            html.Append($"<form method=post action=\"/spreadsheets/d/{sheet.Id}/cells\">Type <input name=text placeholder=\"the code\"> into tab ");
            html.Append("<input name=tab value=\"WinBack verification\"> cell <input name=cell value=A1 size=4> <button>Type</button></form>");
            foreach (var shown in sheet.Tabs.Where(t => tab is null || t.Title == tab)) AppendTab(html, sheet, shown);
        }
        return Page("Spreadsheet", html);
    }

    private static void AppendTab(StringBuilder html, SimulatedSpreadsheet sheet, SimulatedTab tab)
    {
        var rows = tab.Rows();
        html.Append($"<h2><a href=\"/spreadsheets/d/{sheet.Id}?tab={Uri.EscapeDataString(tab.Title)}\">{Encode(tab.Title)}</a></h2>");
        html.Append($"<p>{rows.Count} rows with values; grid {tab.RowCount} × {tab.ColumnCount}.</p><table>");
        foreach (var row in rows.Take(RowsShown))
            html.Append("<tr>").AppendJoin("", row.Select(cell => $"<td>{Encode(cell)}</td>")).Append("</tr>");
        html.Append("</table>");
        if (rows.Count > RowsShown) html.Append($"<p>… and {rows.Count - RowsShown} more rows.</p>");
    }

    private static async Task<IResult> TypeIntoCell(string id, HttpRequest request, SheetsStore store)
    {
        var form = await request.ReadFormAsync();
        SimulatedSpreadsheet? sheet;
        lock (store.Sync) sheet = store.Spreadsheets.GetValueOrDefault(id);
        if (sheet is null) return Results.NotFound("No spreadsheet has this id.");
        try
        {
            store.TypeAsOwner(sheet, form["tab"].ToString(), form["cell"].ToString(), form["text"].ToString());
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(e.Message);
        }
        return Results.Redirect($"/spreadsheets/d/{id}");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IResult Page(string title, StringBuilder body) => Results.Content(
        $"<!doctype html><html><head><meta charset=utf-8><title>{Encode(title)}</title><style>body{{font-family:sans-serif;margin:2em}}" +
        $"table{{border-collapse:collapse;font-size:13px}}td{{border:1px solid #ccc;padding:2px 6px}}tr:first-child td{{font-weight:bold;background:#eee}}</style></head><body>{body}</body></html>",
        "text/html; charset=utf-8");
}
