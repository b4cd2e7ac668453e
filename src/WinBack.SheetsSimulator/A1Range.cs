using System.Text.RegularExpressions;

namespace WinBack.SheetsSimulator;

/// <summary>An A1 range like <c>'Inactive customers'!A1:L200</c> or <c>Sheet1</c>: a tab and an optional cell rectangle (zero-based).</summary>
public sealed partial record A1Range(string Tab, int? FirstRow, int? FirstColumn, int? LastRow, int? LastColumn)
{
    public static A1Range? Parse(string text)
    {
        var match = Pattern().Match(text);
        if (!match.Success) return null;
        var tab = match.Groups["quoted"].Success ? match.Groups["quoted"].Value.Replace("''", "'") : match.Groups["plain"].Value;
        if (!match.Groups["c1"].Success) return new A1Range(tab, null, null, null, null);
        var firstColumn = Column(match.Groups["c1"].Value);
        var firstRow = match.Groups["r1"].Success ? int.Parse(match.Groups["r1"].Value) - 1 : 0;
        var lastColumn = match.Groups["c2"].Success ? Column(match.Groups["c2"].Value) : firstColumn;
        var lastRow = match.Groups["r2"].Success ? int.Parse(match.Groups["r2"].Value) - 1 : match.Groups["c2"].Success ? (int?)null : firstRow;
        return new A1Range(tab, firstRow, firstColumn, lastRow, lastColumn);
    }

    private static int Column(string letters) => letters.ToUpperInvariant().Aggregate(0, (n, c) => n * 26 + (c - 'A' + 1)) - 1;

    public static string ColumnName(int column)
    {
        var name = "";
        for (column++; column > 0; column = (column - 1) / 26) name = (char)('A' + (column - 1) % 26) + name;
        return name;
    }

    [GeneratedRegex(@"^(?:'(?<quoted>(?:[^']|'')+)'|(?<plain>[^'!]+))(?:!(?<c1>[A-Za-z]+)(?<r1>\d+)?(?::(?<c2>[A-Za-z]+)(?<r2>\d+)?)?)?$")]
    private static partial Regex Pattern();
}
