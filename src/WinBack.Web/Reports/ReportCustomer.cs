using System.Globalization;
using WinBack.Analytics;
using WinBack.Web.Predictions;

namespace WinBack.Web.Reports;

/// <summary>
/// A customer as the merchant sees them, wherever they are shown: the report page, the CSV, the Sheet, the digest, the
/// alert, the scheduled report and the Shopify tags all map a stored <see cref="CustomerRecord"/> through <see cref="From"/>.
/// </summary>
public sealed record ReportCustomer(
    long Id,
    string Name,
    string? FirstName,
    string? LastName,
    string? Email,
    bool EmailSubscribed,
    DateOnly? LastOrderDate,
    int? WeeksSinceLastOrder,
    int OrdersCount,
    decimal TotalSpent,
    bool HighValue,
    string? Segment,
    int? SegmentPriority,
    DateOnly CustomerSince,
    double? ProbabilityAlive,
    string? ChurnRisk,
    DateOnly? ExpectedNextOrderDate,
    double? Overdue,
    DateOnly? OverdueSince,
    decimal? PredictedValue,
    string? RfmSegment,
    string? RfmScore,
    IReadOnlyList<string> AtRiskReasons)
{
    /// <summary>How every list names a customer: their name, else their email, else their id.</summary>
    public static string NameOf(long id, string? firstName, string? lastName, string? email)
    {
        var name = string.Join(' ', new[] { firstName, lastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return name.Length > 0 ? name : email ?? $"Customer {id}";
    }

    public static ReportCustomer From(CustomerRecord r, ReportScope scope)
    {
        var weeks = r.LastOrderDate is { } last ? scope.Calendar.WeeksSince(last) : (int?)null;
        var highValue = r.OrdersCount > 0 && WinBackRules.IsHighValue(r.TotalSpent, scope.HighValueLine);
        var segment = weeks is { } w && w >= scope.ThresholdWeeks ? WinBackRules.Info(WinBackRules.SegmentOf(highValue, w, scope.ThresholdWeeks)) : null;
        var p = r.Prediction;
        double? overdue = r.LastOrderDate is { } lastOrder && PurchaseCycle.Overdue(scope.Calendar.Today.DayNumber - lastOrder.DayNumber, p.UsualIntervalDays) is { } o
            ? Math.Round(o, 1) : null;
        return new(r.Id, NameOf(r.Id, r.FirstName, r.LastName, r.Email), r.FirstName, r.LastName, r.Email,
            r.EmailMarketingState == "SUBSCRIBED", r.LastOrderDate, weeks, r.OrdersCount, r.TotalSpent, highValue, segment?.Key, segment?.Priority, r.CreatedDate,
            p.ProbabilityAlive is { } alive ? Math.Round(alive, 3) : null, p.ProbabilityAlive is { } a ? PredictionTerms.RiskOf(a).Key : null,
            p.ExpectedNextOrderOn, overdue, p.OverdueOn, p.PredictedValue, p.RfmSegment is { } rfm ? PredictionTerms.Info(rfm).Key : null,
            p.RfmScore?.ToString(CultureInfo.InvariantCulture),
            weeks < scope.ThresholdWeeks ? AtRiskRule.ReasonsOf(p, scope.Calendar.Today, overdue) : []);
    }
}

public sealed record InactiveCustomersPage(IReadOnlyList<ReportCustomer> Customers, int TotalCount, string? NextCursor, int PageSize, string Filter,
    string CurrencyCode, int ThresholdWeeks);

public sealed record WithoutOrdersPage(IReadOnlyList<ReportCustomer> Customers, int TotalCount, string? NextCursor, int PageSize, string CurrencyCode);
