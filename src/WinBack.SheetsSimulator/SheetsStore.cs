using System.Security.Cryptography;

namespace WinBack.SheetsSimulator;

/// <summary>One tab: its grid size and the values written to it (row, column → text), as the Sheets API keeps them.</summary>
public sealed class SimulatedTab(int sheetId, string title, int rowCount, int columnCount)
{
    public int SheetId { get; } = sheetId;
    public string Title { get; set; } = title;
    public int RowCount { get; set; } = rowCount;
    public int ColumnCount { get; set; } = columnCount;
    public Dictionary<(int Row, int Column), string> Cells { get; } = [];
    /// <summary>Cells whose text Sheets parsed as a formula (only with valueInputOption=USER_ENTERED).</summary>
    public HashSet<(int Row, int Column)> Formulas { get; } = [];

    /// <summary>The tab's values as rows (trailing empty cells and rows trimmed), for tests to read back.</summary>
    public List<List<string>> Rows()
    {
        if (Cells.Count == 0) return [];
        var lastRow = Cells.Keys.Max(k => k.Row);
        return Enumerable.Range(0, lastRow + 1).Select(r =>
        {
            var cells = Cells.Keys.Where(k => k.Row == r).ToList();
            var width = cells.Count == 0 ? 0 : cells.Max(k => k.Column) + 1;
            return Enumerable.Range(0, width).Select(c => Cells.GetValueOrDefault((r, c), "")).ToList();
        }).ToList();
    }
}

public sealed class SimulatedSpreadsheet(string id, string title)
{
    public string Id { get; } = id;
    public string Title { get; } = title;
    public List<SimulatedTab> Tabs { get; } = [];
    /// <summary>Service-account emails the owner shared the spreadsheet with (as editors).</summary>
    public HashSet<string> Editors { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int NextSheetId { get; set; } = 1;
    public long CellCount => Tabs.Sum(t => (long)t.RowCount * t.ColumnCount);
}

/// <summary>Everything the simulated Google holds: service accounts (their public keys), access tokens, spreadsheets, quota use.</summary>
public sealed class SheetsStore
{
    public object Sync { get; } = new();
    public Dictionary<string, RSA> ServiceAccounts { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, (string Email, DateTimeOffset ExpiresAt)> AccessTokens { get; } = [];
    public Dictionary<string, SimulatedSpreadsheet> Spreadsheets { get; } = [];
    public Dictionary<(string Email, string Kind), Queue<DateTimeOffset>> Requests { get; } = [];
    public int TokenRequests { get; set; }
    public int QuotaRejections { get; set; }
    public int WriteRequests { get; set; }
    public int ReadRequests { get; set; }

    /// <summary>Runs before each Sheets request is carried out (method, path after /v4/spreadsheets/), so a test can change the world mid-run.</summary>
    public Func<string, string, Task>? BeforeRequest { get; set; }

    /// <summary>A spreadsheet with one tab ("Sheet1", 1000 x 26 as Google creates it), shared with the given service accounts.</summary>
    public SimulatedSpreadsheet CreateSpreadsheet(string title, params string[] editors)
    {
        lock (Sync)
        {
            var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
            var spreadsheet = new SimulatedSpreadsheet(id, title);
            spreadsheet.Tabs.Add(new SimulatedTab(0, "Sheet1", 1000, 26));
            foreach (var editor in editors) spreadsheet.Editors.Add(editor);
            Spreadsheets[id] = spreadsheet;
            return spreadsheet;
        }
    }

    /// <summary>What the owner does in Google's own editor: adds the tab if it is missing and types text into one cell (A1 notation).</summary>
    public void TypeAsOwner(SimulatedSpreadsheet spreadsheet, string tabTitle, string cell, string text)
    {
        var at = A1Range.Parse($"'{tabTitle.Replace("'", "''")}'!{cell}") ?? throw new ArgumentException($"Not a cell: {cell}", nameof(cell));
        lock (Sync)
        {
            var tab = spreadsheet.Tabs.FirstOrDefault(t => t.Title == tabTitle);
            if (tab is null) spreadsheet.Tabs.Add(tab = new SimulatedTab(spreadsheet.NextSheetId++, tabTitle, 1000, 26));
            tab.Cells[(at.FirstRow!.Value, at.FirstColumn!.Value)] = text;
        }
    }

    /// <summary>Registers a service account; returns its private key as PKCS#8 PEM, as in the JSON key file Google hands out.</summary>
    public string CreateServiceAccount(string email)
    {
        var rsa = RSA.Create(2048);
        lock (Sync) ServiceAccounts[email] = rsa;
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    public IReadOnlyList<string> ServiceAccountEmails()
    {
        lock (Sync) return ServiceAccounts.Keys.Order().ToList();
    }

    /// <summary>Registers a service account whose private key (PEM) was made earlier, e.g. read from its key file.</summary>
    public void AddServiceAccount(string email, string privateKeyPem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        lock (Sync) ServiceAccounts[email] = rsa;
    }
}
