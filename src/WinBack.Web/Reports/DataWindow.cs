using System.Globalization;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;
using WinBack.Web.Sync;

namespace WinBack.Web.Reports;

/// <summary>
/// Which orders WinBack can see. Without Shopify's <c>read_all_orders</c> scope only the last 60 days of orders are
/// shared, counted from the last full import (which removes what its export did not hold): older buyers look like
/// customers without orders and nobody looks away longer than the window. The page says so beside the figures.
/// </summary>
/// <param name="OrdersSince">The first local date of the orders WinBack holds; null with every order.</param>
public sealed record DataWindow(bool AllOrders, DateOnly? OrdersSince, int? LongestVisibleWeeks, string? Missing, string? Consequence, string? HowToAsk)
{
    public const string AllOrdersScope = "read_all_orders";
    public const int DaysWithoutAllOrders = 60;

    public static DataWindow Full { get; } = new(true, null, null, null, null, null);

    public static bool SeesAllOrders(string grantedScopes) => grantedScopes.Split(',', StringSplitOptions.TrimEntries).Contains(AllOrdersScope);

    /// <summary>The window of a shop without <see cref="AllOrdersScope"/>.</summary>
    public static DataWindow Limited(DateTimeOffset? lastImportStartedAt, ShopCalendar calendar)
    {
        var since = calendar.LocalDate((lastImportStartedAt ?? calendar.StartOfDay(calendar.Today)).AddDays(-DaysWithoutAllOrders));
        var weeks = calendar.WeeksSince(since);
        return new DataWindow(false, since, weeks,
            $"WinBack does not have Shopify's \"{AllOrdersScope}\" permission for your store, so Shopify shares only the last {DaysWithoutAllOrders} days of orders.",
            string.Create(CultureInfo.InvariantCulture,
                $"The figures count orders since {since:MMMM d, yyyy} only: a customer whose orders are all older shows as a customer without orders, " +
                $"and nobody shows as away for more than {weeks} weeks."),
            $"Ask WinBack's support to have Shopify approve \"{AllOrdersScope}\" for the app; then open WinBack from your Shopify admin, accept the " +
            "updated permissions, and press \"Sync again\" in Settings to import your whole order history.");
    }
}

public sealed class DataWindows(WinBackDbContext db)
{
    /// <summary>Read fresh (two rows by key): the scopes change at install and sync, not with the customers.</summary>
    public async Task<DataWindow> GetAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var scopes = await db.Shops.Where(s => s.Id == scope.ShopId).Select(s => s.Scopes).SingleAsync(cancellationToken);
        if (DataWindow.SeesAllOrders(scopes)) return DataWindow.Full;
        var importStarted = await db.SyncStates.Where(s => s.ShopId == scope.ShopId && s.Resource == SyncResource.Orders)
            .Select(s => s.StartedAt).SingleOrDefaultAsync(cancellationToken);
        return DataWindow.Limited(importStarted, scope.Calendar);
    }
}
