using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;

namespace WinBack.Web.Digests;

/// <summary>
/// The digest as an email: an HTML part (inline styles and tables only, no external images, so it reads the same in
/// Gmail, Outlook and Apple Mail) and a plain-text part with the same content, plus the CSV when the shop wants it.
/// </summary>
public static class DigestEmail
{
    public static MimeMessage Build(DigestContent content, MailboxAddress from, IEnumerable<string> recipients, string messageId, Stream? csv, bool test = false)
    {
        var scope = content.Scope;
        var shopName = scope.ShopName ?? scope.ShopDomain;
        return Message(from, recipients, messageId, Subject(content, shopName, test), Text(content, shopName, test), Html(content, shopName, test), csv is null ? null : new(csv, CustomersCsv.FileName(scope, CustomerList.Inactive)));
    }

    /// <summary>The alert: high-value customers who crossed the threshold today, listed.</summary>
    public static MimeMessage Alert(ReportScope scope, IReadOnlyList<ReportCustomer> crossed, MailboxAddress from, IEnumerable<string> recipients, string messageId, string reportUrl)
    {
        var shopName = scope.ShopName ?? scope.ShopDomain;
        var title = $"{crossed.Count:N0} high-value customer{(crossed.Count == 1 ? "" : "s")} just reached {scope.ThresholdWeeks} weeks without an order";
        var text = new StringBuilder().AppendLine($"{shopName}: {title}.").AppendLine("Now is the best time to win them back: personal outreach and a premium offer.");
        Customers(text, "Customers", crossed, scope);
        text.AppendLine().AppendLine($"Open the report: {reportUrl}?segment=high-value-recent");
        var html = new StringBuilder(Header(shopName, title, $"Now is the best time to win them back: personal outreach and a premium offer."));
        CustomersTable(html, "Customers", crossed, scope);
        html.Append(Footer($"{reportUrl}?segment=high-value-recent"));
        return Message(from, recipients, messageId, $"{shopName}: {title}", text.ToString(), html.ToString(), null);
    }

    /// <summary>A scheduled report of a saved view: the first rows inline, the whole view attached as CSV.</summary>
    public static MimeMessage Report(ReportScope scope, string viewName, string viewQuery, CustomerList list, int total, IReadOnlyList<ReportCustomer> firstRows, MailboxAddress from,
        IEnumerable<string> recipients, string messageId, string reportUrl, Stream csv)
    {
        var shopName = scope.ShopName ?? scope.ShopDomain;
        var title = $"{viewName}: {Count(total, "customer")}";
        var url = $"{reportUrl}?{viewQuery}";
        var text = new StringBuilder().AppendLine($"{shopName}: {title} ({scope.Calendar.Today:yyyy-MM-dd}).");
        Customers(text, total > firstRows.Count ? $"The first {firstRows.Count} (all of them are in the attached CSV)" : "Customers", firstRows, scope);
        text.AppendLine().AppendLine($"Open the view: {url}");
        var html = new StringBuilder(Header(shopName, title, $"As of {scope.Calendar.Today:yyyy-MM-dd}; the attached CSV has every customer of the view."));
        CustomersTable(html, total > firstRows.Count ? $"The first {firstRows.Count}" : "Customers", firstRows, scope);
        html.Append(Footer(url));
        return Message(from, recipients, messageId, $"{shopName}: {title}", text.ToString(), html.ToString(), new(csv, CustomersCsv.FileName(scope, list)));
    }

    private static string Header(string shopName, string title, string lead) => $"""
        <!doctype html><html><body style="margin:0;padding:0;background:#f1f1f1">
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f1f1;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#303030">
        <tr><td align="center" style="padding:24px">
        <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:12px;padding:24px"><tr><td>
        <h1 style="font-size:20px;margin:0 0 4px">{WebUtility.HtmlEncode(shopName)}: {WebUtility.HtmlEncode(title)}</h1>
        <p style="margin:0 0 16px;color:#616161;font-size:13px">{WebUtility.HtmlEncode(lead)}</p>
        """;

    private static string Footer(string url) => $"""
        <p style="margin:24px 0 0"><a href="{WebUtility.HtmlEncode(url)}" style="background:#303030;color:#ffffff;padding:10px 16px;border-radius:8px;text-decoration:none;font-weight:bold">Open in Shopify admin</a></p>
        <p style="margin:16px 0 0;color:#8a8a8a;font-size:12px">You get this email because your address is on its list in WinBack's settings.</p>
        </td></tr></table></td></tr></table></body></html>
        """;

    /// <summary>A CSV attachment: streamed from the caller's file as the message is sent, so a list of a million customers is never in memory.</summary>
    private sealed record CsvFile(Stream Content, string Name);

    private static MimeMessage Message(MailboxAddress from, IEnumerable<string> recipients, string messageId, string subject, string text, string html, CsvFile? csv)
    {
        var message = new MimeMessage { MessageId = messageId, Subject = subject };
        message.From.Add(from);
        foreach (var recipient in recipients) message.To.Add(MailboxAddress.Parse(recipient));
        var body = new BodyBuilder { TextBody = text, HtmlBody = html };
        if (csv is not null) body.Attachments.Add(CsvAttachment(csv));
        message.Body = body.ToMessageBody();
        return message;
    }

    private static MimePart CsvAttachment(CsvFile csv)
    {
        var attachment = new MimePart("text", "csv")
        {
            Content = new MimeContent(csv.Content),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = csv.Name,
        };
        attachment.ContentType.Charset = "utf-8";
        return attachment;
    }

    private static string Subject(DigestContent content, string shopName, bool test) =>
        (test ? "[Test] " : "") + $"{shopName}: {Count(content.Inactive, "inactive customer")}, {content.WentInactiveThisWeek:N0} new this week";

    /// <summary>"1 customer", "2 customers".</summary>
    private static string Count(int count, string singular) => $"{count:N0} {singular}{(count == 1 ? "" : "s")}";

    /// <summary>Said in the body, not only the subject: a forwarded or filtered test must not pass for the real digest.</summary>
    private const string TestNotice = "This is a test digest, sent from WinBack's settings to check delivery. The figures are today's; the weekly digest follows its schedule.";

    private static string PriorityOneTitle => $"Priority 1: {WinBackRules.Info(Segment.HighValueRecent).Title}";

    private static string AtRiskTitle(DigestContent c) =>
        $"Before they lapse: {Count(c.AtRiskCount, "customer")} at risk" + (c.AtRiskCount > c.AtRisk.Count ? $", the {c.AtRisk.Count} biggest spenders" : "");

    /// <summary>"A personal we-miss-you note, then early access or a loyalty reminder, then a premium offer. Offer: 15-20 % at 4-5 weeks."</summary>
    private static string PlaybookLine(Playbook playbook) =>
        $"{string.Join(", then ", playbook.Steps.Select((step, i) => i == 0 ? step.Action : char.ToLowerInvariant(step.Action[0]) + step.Action[1..]))}. Offer: {playbook.Offer}.";

    private static string Money(ReportScope scope, decimal amount) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount:N2} {scope.CurrencyCode}");

    private static string Change(int? change) => change switch
    {
        null => "",
        0 => " (no change)",
        > 0 => $" (+{change:N0} since last week)",
        _ => $" ({change:N0} since last week)",
    };

    private static string Text(DigestContent c, string shopName, bool test)
    {
        var scope = c.Scope;
        var text = new StringBuilder();
        if (test) text.AppendLine(TestNotice).AppendLine();
        text.AppendLine($"WinBack weekly digest for {shopName} ({c.Period}, dates in {scope.Calendar.Zone.Id})");
        text.AppendLine();
        text.AppendLine($"Inactive customers: {c.Inactive:N0}{Change(c.InactiveChange)}");
        text.AppendLine($"Went inactive this week (crossed {scope.ThresholdWeeks} weeks): {c.WentInactiveThisWeek:N0}");
        text.AppendLine($"Revenue at stake (what they have spent with you): {Money(scope, c.RevenueAtStake)}");
        if (c.Retention is { } trend) text.AppendLine().AppendLine(RetentionLine(trend));
        text.AppendLine();
        text.AppendLine("Segments, most urgent first:");
        foreach (var s in c.Segments)
        {
            text.AppendLine($"  {s.Info.Priority}. {s.Info.Title}: {s.Customers:N0}{Change(s.ChangeSinceLastWeek)}. {s.Info.SuggestedAction} {s.ReportUrl}");
            text.AppendLine($"     What to do: {PlaybookLine(WinBackPlaybooks.ForSegment(s.Info.Segment, scope.ThresholdWeeks))}");
        }
        Customers(text, PriorityOneTitle, c.PriorityOne, scope);
        Customers(text, "Went inactive this week", c.WentInactive, scope);
        if (c.AtRisk.Count > 0)
        {
            text.AppendLine().AppendLine($"{AtRiskTitle(c)}:");
            foreach (var r in c.AtRisk)
                text.AppendLine($"  {r.Name} <{r.Email}>: last order {r.LastOrderDate:yyyy-MM-dd}, spent {Money(scope, r.TotalSpent)}. {string.Join("; ", r.AtRiskReasons)}");
            text.AppendLine($"  What to do: {PlaybookLine(WinBackPlaybooks.AtRisk(scope.ThresholdWeeks))}");
            text.AppendLine($"  All of them: {c.ReportUrl}?tab=at-risk");
        }
        if (c.Outcomes.All.Listed > 0)
        {
            text.AppendLine();
            text.AppendLine($"Win-back results (customers WinBack listed in the last {c.Outcomes.LookbackDays} days):");
            foreach (var row in OutcomeRows(c.Outcomes))
                text.AppendLine($"  {row.Title}: {row.Listed:N0} listed, {row.CameBack:N0} came back so far ({Money(scope, row.Revenue)}); {string.Join(", ", row.Windows.Select(w => $"{w.Days} days: {Rate(w)}"))}");
        }
        if (ShowsLift(c.Outcomes)) text.AppendLine().AppendLine($"Measured lift: {c.Outcomes.Lift.Headline}");
        text.AppendLine();
        text.AppendLine($"Open the report: {c.ReportUrl}");
        return text.ToString();
    }

    private static void Customers(StringBuilder text, string title, IReadOnlyList<ReportCustomer> customers, ReportScope scope)
    {
        if (customers.Count == 0) return;
        text.AppendLine();
        text.AppendLine($"{title}:");
        foreach (var r in customers)
            text.AppendLine(r.LastOrderDate is null
                ? $"  {r.Name} <{r.Email}>: no order yet, signed up {r.CustomerSince:yyyy-MM-dd}"
                : $"  {r.Name} <{r.Email}>: last order {r.LastOrderDate:yyyy-MM-dd}, {r.WeeksSinceLastOrder} weeks ago, spent {Money(scope, r.TotalSpent)}");
    }

    private static string Html(DigestContent c, string shopName, bool test)
    {
        var scope = c.Scope;
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var html = new StringBuilder();
        html.Append(Header(shopName, "your weekly win-back digest", $"{c.Period} · dates in {scope.Calendar.Zone.Id}"));
        if (test) html.Append($"""<p style="margin:0 0 16px;padding:8px 12px;border-radius:8px;background:#fff5d6">{E(TestNotice)}</p>""");
        html.Append($"""
            <table role="presentation" width="100%" cellpadding="8" cellspacing="0" style="border-collapse:collapse;margin-bottom:16px">
            <tr>
              <td style="background:#f7f7f7;border-radius:8px"><div style="font-size:12px;color:#616161">Inactive customers</div><div style="font-size:22px;font-weight:bold">{c.Inactive:N0}</div><div style="font-size:12px;color:#616161">{E(Change(c.InactiveChange).Trim(' ', '(', ')'))}</div></td>
              <td style="background:#f7f7f7;border-radius:8px"><div style="font-size:12px;color:#616161">New this week</div><div style="font-size:22px;font-weight:bold">{c.WentInactiveThisWeek:N0}</div><div style="font-size:12px;color:#616161">crossed {scope.ThresholdWeeks} weeks</div></td>
              <td style="background:#f7f7f7;border-radius:8px"><div style="font-size:12px;color:#616161">Revenue at stake</div><div style="font-size:22px;font-weight:bold">{E(Money(scope, c.RevenueAtStake))}</div></td>
            </tr></table>
            {(c.Retention is { } trend ? $"<p style=\"margin:0 0 16px;padding:8px 12px;border-radius:8px;background:{(trend.Warning ? "#fee9e8" : "#f7f7f7")}\">{E(RetentionLine(trend))}</p>" : "")}
            <h2 style="font-size:16px;margin:16px 0 8px">Segments, most urgent first</h2>
            <table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px">
            """);
        foreach (var s in c.Segments)
            html.Append($"""
                <tr style="border-top:1px solid #e3e3e3"><td><b>{s.Info.Priority}. <a href="{E(s.ReportUrl)}" style="color:#005bd3">{E(s.Info.Title)}</a></b><br><span style="color:#616161">{E(s.Info.SuggestedAction)}</span>
                <br><span style="font-size:12px">What to do: {E(PlaybookLine(WinBackPlaybooks.ForSegment(s.Info.Segment, scope.ThresholdWeeks)))}</span></td>
                <td align="right" style="white-space:nowrap"><b>{s.Customers:N0}</b><br><span style="color:#616161;font-size:12px">{E(Change(s.ChangeSinceLastWeek).Trim(' ', '(', ')'))}</span></td></tr>
                """);
        html.Append("</table>");
        CustomersTable(html, PriorityOneTitle, c.PriorityOne, scope);
        CustomersTable(html, "Went inactive this week", c.WentInactive, scope);
        if (c.AtRisk.Count > 0)
        {
            html.Append($"""
                <h2 style="font-size:16px;margin:20px 0 8px">{E(AtRiskTitle(c))}</h2>
                <p style="margin:0 0 8px;color:#616161;font-size:13px">Still active, but slipping: reach them before they cross {scope.ThresholdWeeks} weeks. <a href="{E(c.ReportUrl)}?tab=at-risk" style="color:#005bd3">See all of them</a></p>
                <p style="margin:0 0 8px;font-size:12px">What to do: {E(PlaybookLine(WinBackPlaybooks.AtRisk(scope.ThresholdWeeks)))}</p>
                <table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:13px">
                <tr style="color:#616161"><th align="left">Customer</th><th align="left">Why</th><th align="right">Spent</th></tr>
                """);
            foreach (var r in c.AtRisk)
                html.Append($"""
                    <tr style="border-top:1px solid #e3e3e3"><td>{E(r.Name)}<br><span style="color:#616161">{E(r.Email)}</span></td><td>{E(string.Join("; ", r.AtRiskReasons))}</td><td align="right">{E(Money(scope, r.TotalSpent))}</td></tr>
                    """);
            html.Append("</table>");
        }
        if (c.Outcomes.All.Listed > 0)
        {
            html.Append($"""
                <h2 style="font-size:16px;margin:20px 0 8px">Win-back results</h2>
                <p style="margin:0 0 8px;color:#616161;font-size:13px">Customers WinBack listed in a digest, CSV, sheet, scheduled report or tag in the last {c.Outcomes.LookbackDays} days, and who ordered again within 30, 60 and 90 days of being listed (of those listed long enough ago).</p>
                <table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:13px">
                <tr style="color:#616161"><th align="left">Segment</th><th align="right">Listed</th><th align="right">Came back</th><th align="right">30 days</th><th align="right">60 days</th><th align="right">90 days</th></tr>
                """);
            foreach (var row in OutcomeRows(c.Outcomes))
                html.Append($"""
                    <tr style="border-top:1px solid #e3e3e3"><td>{E(row.Title)}</td><td align="right">{row.Listed:N0}</td><td align="right">{row.CameBack:N0}<br><span style="color:#616161">{E(Money(scope, row.Revenue))}</span></td>{string.Concat(row.Windows.Select(w => $"<td align=\"right\">{E(Rate(w))}</td>"))}</tr>
                    """);
            html.Append("</table>");
        }
        if (ShowsLift(c.Outcomes))
            html.Append($"""<p style="margin:12px 0 0;padding:8px 12px;border-radius:8px;background:#f7f7f7"><b>Measured lift:</b> {E(c.Outcomes.Lift.Headline)}</p>""");
        html.Append(Footer(c.ReportUrl));
        return html.ToString();
    }

    /// <summary>Retention health in one sentence, flagged when the inactive list outgrows the active base.</summary>
    private static string RetentionLine(RetentionTrend trend) => (trend.Warning ? "Warning: " : "Retention: ") + trend.Sentence;

    /// <summary>The lift line appears once the merchant has a control group (on now, or holding listings from before).</summary>
    private static bool ShowsLift(OutcomeReport outcomes) => outcomes.Lift.ControlGroupOn || outcomes.Lift.HeadlineDays is not null;

    private sealed record OutcomeLine(string Title, int Listed, int CameBack, decimal Revenue, IReadOnlyList<OutcomeWindow> Windows);

    private static IEnumerable<OutcomeLine> OutcomeRows(OutcomeReport outcomes) =>
        outcomes.Segments.Select(s => new OutcomeLine(WinBackRules.Info(s.Segment!).Title, s.Listed, s.CameBackSoFar, s.RevenueSoFar, s.Windows))
            .Append(new OutcomeLine("All listed customers", outcomes.All.Listed, outcomes.All.CameBackSoFar, outcomes.All.RevenueSoFar, outcomes.All.Windows));

    /// <summary>"3 of 40 (7.5 %)", or "too early" while nobody has been listed that long.</summary>
    private static string Rate(OutcomeWindow w) =>
        w.Rate is { } rate ? $"{w.CameBack:N0} of {w.Listed:N0} ({rate:P1})" : "too early";

    private static void CustomersTable(StringBuilder html, string title, IReadOnlyList<ReportCustomer> customers, ReportScope scope)
    {
        if (customers.Count == 0) return;
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        html.Append($"""
            <h2 style="font-size:16px;margin:20px 0 8px">{E(title)}</h2>
            <table role="presentation" width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:13px">
            <tr style="color:#616161;text-align:left"><th align="left">Customer</th><th align="left">Last order</th><th align="right">Weeks</th><th align="right">Spent</th></tr>
            """);
        foreach (var r in customers)
            html.Append($"""
                <tr style="border-top:1px solid #e3e3e3"><td>{E(r.Name)}<br><span style="color:#616161">{E(r.Email)}</span></td><td>{(r.LastOrderDate is { } last ? $"{last:yyyy-MM-dd}" : $"none yet (signed up {r.CustomerSince:yyyy-MM-dd})")}</td><td align="right">{r.WeeksSinceLastOrder}</td><td align="right">{E(Money(scope, r.TotalSpent))}</td></tr>
                """);
        html.Append("</table>");
    }
}
