using WinBack.Web.Settings;

namespace WinBack.Web.Reports;

/// <summary>
/// The columns of the lists of customers with orders that a merchant can show or hide, remembered per shop
/// (<see cref="ShopSettings.ReportColumns"/>). The customer's name is always shown: it is the row's link into Shopify.
/// </summary>
public static class ReportColumns
{
    public const string Customer = "customer";

    /// <summary>Every column, in the table's order.</summary>
    public static readonly IReadOnlyList<string> All =
        [Customer, "email", "lastOrder", "weeksAway", "orders", "totalSpent", "segment", "churnRisk", "overdue", "nextOrder", "predictedValue", "rfm"];

    /// <summary>Until the merchant chooses: the columns that fit a 1,280 px laptop beside the admin's navigation.</summary>
    public static readonly IReadOnlyList<string> Default =
        [Customer, "email", "lastOrder", "weeksAway", "totalSpent", "segment", "churnRisk", "overdue"];

    public static IReadOnlyList<string> Of(ShopSettings? settings) => settings?.ReportColumns is { Length: > 0 } chosen ? chosen : Default;

    /// <summary>The chosen columns in the table's order with the customer first, or the sentence that says what is wrong.</summary>
    public static (string[]? Columns, string? Error) Parse(IReadOnlyCollection<string>? chosen)
    {
        if (chosen is null || chosen.Count == 0) return (null, "Choose at least one column to show.");
        var unknown = chosen.Where(c => !All.Contains(c)).ToList();
        if (unknown.Count > 0)
            return (null, $"There is no column called {string.Join(", ", unknown.Select(u => $"'{u}'"))}. The columns are: {string.Join(", ", All)}.");
        return (All.Where(c => c == Customer || chosen.Contains(c)).ToArray(), null);
    }
}
