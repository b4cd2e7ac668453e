using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using WinBack.Analytics;
using WinBack.Web.Predictions;

namespace WinBack.Web.Reports;

public enum CustomerSort
{
    LastOrder,
    Name,
    Email,
    TotalSpent,
    OrdersCount,
    Segment,
    ProbabilityAlive,
    Overdue,
    PredictedValue,
    SignedUp,
}

/// <summary>What "inactive" means for the list: the shop's fixed weeks, or each customer's own purchase cycle.</summary>
public enum InactivityMode
{
    FixedWeeks,
    PersonalCycle,
}

public enum EmailConsent
{
    Subscribed,
    NotSubscribed,
}

/// <summary>
/// What the merchant asked to see, as it travels in the page URL, an API query or a saved view. <see cref="Parse"/>
/// checks every parameter against the shop's threshold and names the one that is wrong; <see cref="ToQueryString"/>
/// writes the canonical form back, so a saved view or a link reproduces the same list.
/// </summary>
public sealed record InactiveCustomersFilter
{
    public static readonly int[] PageSizes = [25, 50, 100, 250];
    public const int MaxWeeks = 520;

    /// <summary>Which customers the list holds (<c>list=</c>): inactive (the default), at-risk, all with an order, or without orders.</summary>
    public CustomerList List { get; init; }
    public InactivityMode Mode { get; init; }
    public WinBackWindow? Window { get; init; }
    public int? MinWeeks { get; init; }
    public int? MaxWeeksAway { get; init; }
    public IReadOnlySet<Segment> Segments { get; init; } = new HashSet<Segment>();
    public bool HighValueOnly { get; init; }
    public decimal? MinTotalSpent { get; init; }
    public string? Search { get; init; }
    public EmailConsent? Consent { get; init; }
    /// <summary>Signed up in the last this many days, today included (the list of customers without orders only).</summary>
    public int? SignedUpDays { get; init; }
    /// <summary>Signed up on or after this local date (the list of customers without orders only).</summary>
    public DateOnly? SignedUpFrom { get; init; }
    /// <summary>Signed up on or before this local date (the list of customers without orders only).</summary>
    public DateOnly? SignedUpTo { get; init; }
    public IReadOnlySet<ChurnRisk> Risks { get; init; } = new HashSet<ChurnRisk>();
    public IReadOnlySet<RfmSegment> RfmSegments { get; init; } = new HashSet<RfmSegment>();
    public CustomerSort Sort { get; init; } = CustomerSort.LastOrder;
    public bool Descending { get; init; }
    public int PageSize { get; init; } = 50;
    public string? After { get; init; }

    /// <summary>The weeks-away range this filter covers for a shop with the given threshold (max null = no upper bound).</summary>
    public (int Min, int? Max) WeeksRange(int thresholdWeeks)
    {
        if (Window is { } window)
        {
            var info = WinBackRules.Windows(thresholdWeeks).Single(w => w.Window == window);
            return (info.MinWeeks, info.MaxWeeks);
        }
        return (MinWeeks ?? thresholdWeeks, MaxWeeksAway);
    }

    /// <summary>The local dates of sign-up this filter covers on the shop's <paramref name="today"/> (null: no bound).</summary>
    public (DateOnly? From, DateOnly? To) SignedUpRange(DateOnly today) =>
        SignedUpDays is { } days ? (today.AddDays(1 - days), null) : (SignedUpFrom, SignedUpTo);

    public static readonly IReadOnlyDictionary<string, CustomerSort> SortKeys = new Dictionary<string, CustomerSort>
    {
        ["lastOrder"] = CustomerSort.LastOrder,
        ["name"] = CustomerSort.Name,
        ["email"] = CustomerSort.Email,
        ["totalSpent"] = CustomerSort.TotalSpent,
        ["ordersCount"] = CustomerSort.OrdersCount,
        ["segment"] = CustomerSort.Segment,
        ["pAlive"] = CustomerSort.ProbabilityAlive,
        ["overdue"] = CustomerSort.Overdue,
        ["predictedValue"] = CustomerSort.PredictedValue,
        ["signedUp"] = CustomerSort.SignedUp,
    };

    private static readonly Dictionary<string, WinBackWindow> WindowKeys = new()
    {
        ["optimal"] = WinBackWindow.Optimal,
        ["stronger"] = WinBackWindow.Stronger,
        ["last-chance"] = WinBackWindow.LastChance,
    };

    public static readonly IReadOnlyDictionary<string, CustomerList> ListKeys = new Dictionary<string, CustomerList>
    {
        ["inactive"] = CustomerList.Inactive,
        ["at-risk"] = CustomerList.AtRisk,
        ["all"] = CustomerList.All,
        ["without-orders"] = CustomerList.WithoutOrders,
    };

    /// <summary>What customers without orders do not have, by the parameters that ask about it.</summary>
    private static readonly (string[] Parameters, string What)[] OrderOnlyFilters =
    [
        (["mode", "window", "minWeeks", "maxWeeks"], "last order to count weeks from"),
        (["segment"], "win-back segment"),
        (["highValue", "minSpent"], "spending to filter by"),
        (["risk"], "churn risk"),
        (["rfm"], "RFM segment"),
    ];

    private static readonly string[] SignUpFilters = ["signedUpDays", "signedUpFrom", "signedUpTo"];
    public const int MaxSignedUpDays = 3650;

    private static readonly Dictionary<string, EmailConsent> ConsentKeys = new()
    {
        ["subscribed"] = EmailConsent.Subscribed,
        ["not-subscribed"] = EmailConsent.NotSubscribed,
    };

    /// <summary>Reads a filter from query parameters; errors are keyed by parameter name with a sentence a merchant can act on.</summary>
    public static (InactiveCustomersFilter Filter, Dictionary<string, string[]> Errors) Parse(string queryString, int thresholdWeeks) =>
        Parse(QueryHelpers.ParseQuery(queryString), thresholdWeeks);

    /// <summary>Reads a filter from query parameters; errors are keyed by parameter name with a sentence a merchant can act on.</summary>
    public static (InactiveCustomersFilter Filter, Dictionary<string, string[]> Errors) Parse(IEnumerable<KeyValuePair<string, StringValues>> query, int thresholdWeeks)
    {
        var values = query.Where(q => !string.IsNullOrWhiteSpace(q.Value.ToString())).ToDictionary(q => q.Key, q => q.Value[^1]!.Trim());
        var errors = new Dictionary<string, string[]>();
        void Error(string parameter, string message) => errors[parameter] = [message];
        var filter = new InactiveCustomersFilter();

        if (values.TryGetValue("list", out var list))
        {
            if (ListKeys.TryGetValue(list, out var l)) filter = filter with { List = l };
            else Error("list", "Choose a list: inactive, at-risk, all or without-orders.");
        }
        if (filter.List == CustomerList.WithoutOrders)
        {
            foreach (var (parameters, what) in OrderOnlyFilters)
            foreach (var parameter in parameters.Where(values.ContainsKey))
                Error(parameter, $"Customers without orders have never bought, so they have no {what}. Remove this filter or switch to a list of customers with orders.");
            values = values.Where(v => !OrderOnlyFilters.Any(f => f.Parameters.Contains(v.Key))).ToDictionary();
        }
        else
        {
            foreach (var parameter in SignUpFilters.Where(values.ContainsKey))
                Error(parameter, "Sign-up dates filter the list of customers without orders; the other lists go by orders. Remove this filter or switch to customers without orders.");
            values = values.Where(v => !SignUpFilters.Contains(v.Key)).ToDictionary();
        }
        if (filter.List is not (CustomerList.Inactive or CustomerList.WithoutOrders))
        {
            // Weeks away, windows, the inactivity mode and the win-back segments describe customers past the threshold only.
            var listName = filter.List == CustomerList.AtRisk ? $"The at-risk list holds customers who ordered in the last {thresholdWeeks} weeks" : "The list of all customers has every customer with an order";
            foreach (var parameter in new[] { "mode", "window", "minWeeks", "maxWeeks", "segment" }.Where(values.ContainsKey))
                Error(parameter, $"{listName}; weeks away, windows and win-back segments belong to the inactive list. Remove this filter or switch to the inactive list.");
            values = values.Where(v => v.Key is not ("mode" or "window" or "minWeeks" or "maxWeeks" or "segment")).ToDictionary();
        }
        if (values.TryGetValue("mode", out var mode))
        {
            if (mode is "fixed" or "personal") filter = filter with { Mode = mode == "personal" ? InactivityMode.PersonalCycle : InactivityMode.FixedWeeks };
            else Error("mode", "The inactivity mode is fixed (the shop's weeks) or personal (each customer's own cycle).");
        }
        if (values.TryGetValue("window", out var window))
        {
            if (WindowKeys.TryGetValue(window, out var w)) filter = filter with { Window = w };
            else Error("window", "Choose a window: optimal, stronger or last-chance.");
        }
        int? ReadWeeks(string name)
        {
            if (!values.TryGetValue(name, out var text)) return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var weeks) && weeks <= MaxWeeks) return weeks;
            Error(name, $"Weeks must be a whole number from 0 to {MaxWeeks}.");
            return null;
        }
        var min = ReadWeeks("minWeeks");
        var max = ReadWeeks("maxWeeks");
        if (filter.Window is not null && (min is not null || max is not null))
            Error("window", "Choose either a window or your own minimum and maximum weeks, not both.");
        if (min is { } m && m < thresholdWeeks)
            Error("minWeeks", $"Customers count as inactive from {thresholdWeeks} weeks (your threshold). Ask for at least {thresholdWeeks}, or lower the threshold in Settings.");
        if (max is { } x && x < Math.Max(min ?? thresholdWeeks, thresholdWeeks))
            Error("maxWeeks", "The maximum weeks must not be below the minimum.");
        filter = filter with { MinWeeks = min, MaxWeeksAway = max };
        if (filter.Mode == InactivityMode.PersonalCycle && (filter.Window is not null || min is not null || max is not null))
            Error("mode", "Weeks windows belong to the fixed-weeks rule; in personal mode each customer's own cycle decides. Remove the weeks or switch the mode.");

        // A comma-separated list of keys; an unknown one is named in the parameter's error.
        HashSet<T>? ReadKeys<T>(string name, IEnumerable<(string Key, T Value)> known, Func<string, string> unknown)
        {
            if (!values.TryGetValue(name, out var text)) return null;
            var lookup = known.ToDictionary(k => k.Key, k => k.Value);
            var chosen = new HashSet<T>();
            foreach (var key in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (lookup.TryGetValue(key, out var value)) chosen.Add(value);
                else Error(name, unknown(key));
            }
            return chosen;
        }

        if (ReadKeys("segment", WinBackRules.Segments.Select(s => (s.Key, s.Segment)),
                key => $"Unknown segment \"{Shorten(key)}\". Use {string.Join(", ", WinBackRules.Segments.Select(s => s.Key))}.") is { } segments)
            filter = filter with { Segments = segments };
        if (values.TryGetValue("highValue", out var highValue))
        {
            if (bool.TryParse(highValue, out var on)) filter = filter with { HighValueOnly = on };
            else Error("highValue", "highValue is true or false.");
        }
        if (values.TryGetValue("minSpent", out var minSpent))
        {
            if (decimal.TryParse(minSpent, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount < 1_000_000_000m)
                filter = filter with { MinTotalSpent = amount };
            else Error("minSpent", "The minimum total spent is an amount like 150 or 99.50, without a currency sign.");
        }
        if (values.TryGetValue("q", out var search))
        {
            if (search.Length <= 100) filter = filter with { Search = search };
            else Error("q", "Search for at most 100 characters of a name or an email.");
        }
        if (values.TryGetValue("consent", out var consent))
        {
            if (ConsentKeys.TryGetValue(consent, out var c)) filter = filter with { Consent = c };
            else Error("consent", "Email consent is subscribed or not-subscribed.");
        }
        if (values.TryGetValue("signedUpDays", out var signedUpDays))
        {
            if (int.TryParse(signedUpDays, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= MaxSignedUpDays)
                filter = filter with { SignedUpDays = days };
            else Error("signedUpDays", $"Signed up in the last days takes a whole number of days from 1 to {MaxSignedUpDays}.");
        }
        DateOnly? ReadDate(string name)
        {
            if (!values.TryGetValue(name, out var text)) return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            Error(name, "Write a sign-up date as year-month-day, like 2026-11-01.");
            return null;
        }
        filter = filter with { SignedUpFrom = ReadDate("signedUpFrom"), SignedUpTo = ReadDate("signedUpTo") };
        if (filter.SignedUpFrom is { } from && filter.SignedUpTo is { } to && to < from)
            Error("signedUpTo", "The last sign-up date must not be before the first.");
        if (values.ContainsKey("signedUpDays") && (values.ContainsKey("signedUpFrom") || values.ContainsKey("signedUpTo")))
            Error("signedUpDays", "Choose either the last days or your own sign-up dates, not both.");
        if (ReadKeys("risk", PredictionTerms.Risks.Select(r => (r.Key, r.Risk)),
                _ => "Churn risk is high, medium or low (several separated by commas).") is { } risks)
            filter = filter with { Risks = risks };
        if (ReadKeys("rfm", PredictionTerms.RfmSegments.Select(r => (r.Key, r.Segment)),
                key => $"Unknown RFM segment \"{Shorten(key)}\". Use {string.Join(", ", PredictionTerms.RfmSegments.Select(r => r.Key))}.") is { } rfm)
            filter = filter with { RfmSegments = rfm };
        filter = filter with { Sort = DefaultSort(filter.List) };
        if (values.TryGetValue("sort", out var sort))
        {
            var fitting = SortKeys.Where(k => SortFits(k.Value, filter.List)).Select(k => k.Key);
            if (!SortKeys.TryGetValue(sort, out var s)) Error("sort", $"Sort by one of {string.Join(", ", fitting)}.");
            else if (!SortFits(s, filter.List))
                Error("sort", filter.List == CustomerList.WithoutOrders
                    ? "Customers without orders have no orders to sort by. Sort them by name, email or signedUp (sign-up date)."
                    : $"Only customers without orders are sorted by sign-up date. Sort this list by one of {string.Join(", ", fitting)}.");
            else filter = filter with { Sort = s };
        }
        filter = filter with { Descending = DefaultDescending(filter.Sort) };
        if (values.TryGetValue("direction", out var direction))
        {
            if (direction is "asc" or "desc") filter = filter with { Descending = direction == "desc" };
            else Error("direction", "The direction is asc or desc.");
        }
        if (values.TryGetValue("pageSize", out var pageSize))
        {
            if (int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && PageSizes.Contains(size)) filter = filter with { PageSize = size };
            else Error("pageSize", $"Show {string.Join(", ", PageSizes)} customers per page.");
        }
        if (values.TryGetValue("after", out var after)) filter = filter with { After = after };
        return (filter, errors);
    }

    /// <summary>Longest away first; biggest spenders, most orders, most overdue, most valuable and newest accounts first; least likely active first; names and emails A to Z.</summary>
    public static bool DefaultDescending(CustomerSort sort) =>
        sort is CustomerSort.TotalSpent or CustomerSort.OrdersCount or CustomerSort.Overdue or CustomerSort.PredictedValue or CustomerSort.SignedUp;

    /// <summary>Customers with orders are listed by their last order, customers without by when they signed up.</summary>
    public static CustomerSort DefaultSort(CustomerList list) => list == CustomerList.WithoutOrders ? CustomerSort.SignedUp : CustomerSort.LastOrder;

    /// <summary>Customers without orders sort by name, email or sign-up date; the other lists by anything but sign-up date.</summary>
    private static bool SortFits(CustomerSort sort, CustomerList list) =>
        list == CustomerList.WithoutOrders ? sort is CustomerSort.Name or CustomerSort.Email or CustomerSort.SignedUp : sort != CustomerSort.SignedUp;

    /// <summary>The canonical query string of the filter (no paging cursor), in a fixed parameter order.</summary>
    public string ToQueryString()
    {
        var parts = new List<(string Key, string Value)>();
        if (List != CustomerList.Inactive) parts.Add(("list", ListKeys.Single(l => l.Value == List).Key));
        if (Mode == InactivityMode.PersonalCycle) parts.Add(("mode", "personal"));
        if (Window is { } window) parts.Add(("window", WindowKeys.Single(w => w.Value == window).Key));
        if (MinWeeks is { } min) parts.Add(("minWeeks", min.ToString(CultureInfo.InvariantCulture)));
        if (MaxWeeksAway is { } max) parts.Add(("maxWeeks", max.ToString(CultureInfo.InvariantCulture)));
        if (Segments.Count > 0) parts.Add(("segment", string.Join(',', Segments.Order().Select(s => WinBackRules.Info(s).Key))));
        if (HighValueOnly) parts.Add(("highValue", "true"));
        if (MinTotalSpent is { } spent) parts.Add(("minSpent", spent.ToString(CultureInfo.InvariantCulture)));
        if (SignedUpDays is { } days) parts.Add(("signedUpDays", days.ToString(CultureInfo.InvariantCulture)));
        if (SignedUpFrom is { } from) parts.Add(("signedUpFrom", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        if (SignedUpTo is { } to) parts.Add(("signedUpTo", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(Search)) parts.Add(("q", Search));
        if (Consent is { } consent) parts.Add(("consent", ConsentKeys.Single(c => c.Value == consent).Key));
        if (Risks.Count > 0) parts.Add(("risk", string.Join(',', Risks.Order().Select(r => PredictionTerms.Info(r).Key))));
        if (RfmSegments.Count > 0) parts.Add(("rfm", string.Join(',', RfmSegments.Order().Select(r => PredictionTerms.Info(r).Key))));
        if (Sort != DefaultSort(List)) parts.Add(("sort", SortKeys.Single(s => s.Value == Sort).Key));
        if (Descending != DefaultDescending(Sort)) parts.Add(("direction", Descending ? "desc" : "asc"));
        if (PageSize != 50) parts.Add(("pageSize", PageSize.ToString(CultureInfo.InvariantCulture)));
        var builder = new StringBuilder();
        foreach (var (key, value) in parts) builder.Append(builder.Length == 0 ? "" : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));
        return builder.ToString();
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
