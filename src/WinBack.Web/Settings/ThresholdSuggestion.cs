using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Settings;

/// <summary>The threshold that fits the shop, with the figure it comes from and the sentence the page shows.</summary>
/// <param name="GapDays">Days between one order and the next within which <see cref="Percentile"/> % of repeat purchases happen.</param>
public sealed record ThresholdSuggestion(int? GapDays, int Percentile, int RepeatCustomers, int? SuggestedThresholdWeeks, string Explanation)
{
    /// <summary>
    /// 90: at the suggested threshold one normal return in ten comes after the customer was listed (a discount given to
    /// someone about to buy anyway); at 80 it would be one in five, and the page's personal mode, at twice the usual gap,
    /// sits past 90 for any regular buyer.
    /// </summary>
    public const int DefaultPercentile = 90;

    public static ThresholdSuggestion None { get; } = new(null, DefaultPercentile, 0, null,
        "Nobody has ordered twice yet: the suggestion needs repeat customers, so the default of 4 weeks stays until they come.");

    /// <summary>The whole weeks a customer may be away before being listed: a customer back after <paramref name="gapDays"/> was never listed.</summary>
    public static int WeeksFor(int gapDays) => Math.Clamp((gapDays + 6) / 7, 1, 104);

    public static ThresholdSuggestion For(int gapDays, int repeatCustomers, int percentile = DefaultPercentile)
    {
        var weeks = WeeksFor(gapDays);
        var explanation = string.Create(CultureInfo.InvariantCulture,
            $"{percentile} % of your repeat purchases come within {gapDays} days of the customer's previous order (each of your " +
            $"{repeatCustomers:N0} repeat customer{(repeatCustomers == 1 ? "" : "s")} counted once), so at {weeks} week{(weeks == 1 ? "" : "s")} " +
            $"a customer is listed only when later than {percentile} % of your returns.");
        return new ThresholdSuggestion(gapDays, percentile, repeatCustomers, weeks, explanation);
    }
}

/// <summary>
/// The suggestion from the distribution of the shop's repeat-purchase gaps: the days between consecutive qualifying
/// orders (local dates; same-day orders are one visit), each repeat customer weighing the same whatever their number
/// of orders, so a few weekly buyers do not set the threshold for everyone who buys monthly.
/// </summary>
public sealed class ThresholdSuggestions(WinBackDbContext db, ReportScopes scopes)
{
    private sealed record GapRow(int? GapDays, int RepeatCustomers);

    public Task<ThresholdSuggestion> GetAsync(ReportScope scope, CancellationToken cancellationToken) =>
        scopes.CachedAsync(scope.CacheKey("threshold-suggestion"), ct => ComputeAsync(scope, ct), cancellationToken);

    private async Task<ThresholdSuggestion> ComputeAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var row = await db.Database.SqlQueryRaw<GapRow>($"""
            WITH days AS (
                SELECT DISTINCT customer_id, {OrderDays.DayOfProcessedAt} AS day
                FROM orders WHERE shop_id = @shop AND {QualifyingOrders.Sql}),
            gaps AS (
                SELECT customer_id, day - lag(day) OVER (PARTITION BY customer_id ORDER BY day) AS gap FROM days),
            weighted AS (
                SELECT gap, 1.0 / count(*) OVER (PARTITION BY customer_id) AS weight FROM gaps WHERE gap IS NOT NULL),
            shares AS (
                SELECT gap, sum(weight) OVER (ORDER BY gap) / sum(weight) OVER () AS share FROM weighted)
            SELECT (SELECT min(gap) FROM shares WHERE share >= @share - 1e-9) AS gap_days,
                   (SELECT count(DISTINCT customer_id) FROM gaps WHERE gap IS NOT NULL)::int AS repeat_customers
            """,
            [new NpgsqlParameter("shop", scope.ShopId), new NpgsqlParameter("share", ThresholdSuggestion.DefaultPercentile / 100.0), .. OrderDays.Parameters(scope.Calendar)])
            .SingleAsync(cancellationToken);
        return row.GapDays is { } gap && row.RepeatCustomers > 0 ? ThresholdSuggestion.For(gap, row.RepeatCustomers) : ThresholdSuggestion.None;
    }
}
