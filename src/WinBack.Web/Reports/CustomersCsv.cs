using System.Globalization;
using System.Text;

namespace WinBack.Web.Reports;

/// <summary>
/// The report as CSV (RFC 4180: CRLF, quoted where needed, UTF-8 with a byte-order mark so spreadsheet programs read
/// accents right). Dates are in the shop's timezone. A cell that a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first)
/// is prefixed with an apostrophe, as OWASP advises for CSV exports. Rows are written as they are read: memory stays flat.
/// </summary>
public static class CustomersCsv
{
    private const int FlushEvery = 2_000;

    /// <summary>The file's name wherever the list goes out (download or email): the list, the shop and the day, e.g. <c>at-risk-customers-acme-2026-12-01.csv</c>.</summary>
    public static string FileName(ReportScope scope, CustomerList list)
    {
        var name = list switch
        {
            CustomerList.AtRisk => "at-risk-customers", CustomerList.All => "customers", CustomerList.WithoutOrders => "customers-without-orders", _ => "inactive-customers",
        };
        return $"{name}-{scope.ShopDomain.Split('.')[0]}-{scope.Calendar.Today:yyyy-MM-dd}.csv";
    }

    public static async Task WriteAsync(Stream output, ReportScope scope, IAsyncEnumerable<CustomerRecord> customers, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(
            $"Customer ID,First name,Last name,Email,Email marketing,Last order date,Weeks since last order,Orders,Total spent ({scope.CurrencyCode}),Segment,Priority,Suggested action," +
            string.Join(',', PredictionHeaders));
        var rows = 0;
        var line = new StringBuilder(256);
        await foreach (var customer in customers.WithCancellation(cancellationToken))
        {
            line.Clear();
            foreach (var field in Fields(ReportCustomer.From(customer, scope))) Append(line, field);
            await writer.WriteLineAsync(line, cancellationToken);
            if (++rows % FlushEvery == 0) await writer.FlushAsync(cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The CSV in a temporary file, positioned at its start, for an email attachment streamed from disk rather than held in
    /// memory. The file is deleted when the stream is closed.
    /// </summary>
    public static async Task<FileStream> WriteTempFileAsync(ReportScope scope, IAsyncEnumerable<CustomerRecord> customers, CancellationToken cancellationToken)
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await WriteAsync(file, scope, customers, cancellationToken);
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>The predictions' columns, last in every export (empty where the models had nothing to say).</summary>
    public static readonly string[] PredictionHeaders =
        ["Churn risk", "Chance still active", "Overdue (times usual gap)", "Next order expected", "Predicted 12-month value", "RFM segment", "RFM score", "Why at risk"];

    /// <summary>
    /// A customer as the text fields every export writes (CSV here, the Google Sheet with "listed since" added): id, first
    /// and last name, email, marketing consent, last order date (ISO, shop's timezone), weeks since, orders, total spent,
    /// segment, its priority and suggested action (empty for a customer in no segment), then <see cref="PredictionHeaders"/> (the last: why a
    /// recent buyer is at risk, empty for everyone else).
    /// </summary>
    public static string[] Fields(ReportCustomer row)
    {
        var segment = row.Segment is null ? null : WinBackRules.Info(row.Segment);
        return
        [
            row.Id.ToString(CultureInfo.InvariantCulture), row.FirstName ?? "", row.LastName ?? "", row.Email ?? "",
            row.EmailSubscribed ? "subscribed" : "not subscribed",
            row.LastOrderDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", row.WeeksSinceLastOrder?.ToString(CultureInfo.InvariantCulture) ?? "",
            row.OrdersCount.ToString(CultureInfo.InvariantCulture), row.TotalSpent.ToString("0.00", CultureInfo.InvariantCulture),
            segment?.Title ?? "", segment?.Priority.ToString(CultureInfo.InvariantCulture) ?? "", segment?.SuggestedAction ?? "",
            row.ChurnRisk ?? "", row.ProbabilityAlive?.ToString("0.000", CultureInfo.InvariantCulture) ?? "",
            row.Overdue?.ToString("0.0", CultureInfo.InvariantCulture) ?? "", row.ExpectedNextOrderDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            row.PredictedValue?.ToString("0.00", CultureInfo.InvariantCulture) ?? "",
            row.RfmSegment is { } rfm ? Predictions.PredictionTerms.RfmSegments.Single(r => r.Key == rfm).Title : "", row.RfmScore ?? "",
            string.Join("; ", row.AtRiskReasons),
        ];
    }

    private static void Append(StringBuilder line, string? value)
    {
        if (line.Length > 0) line.Append(',');
        if (string.IsNullOrEmpty(value)) return;
        var formulaLike = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _);
        var text = formulaLike ? "'" + value : value;
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(text);
            return;
        }
        line.Append('"').Append(text.Replace("\"", "\"\"")).Append('"');
    }
}
