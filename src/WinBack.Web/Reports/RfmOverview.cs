using Microsoft.EntityFrameworkCore;
using WinBack.Analytics;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Reports;

/// <summary>One RFM group: its customers now, what they have spent, who entered and left it at the last weekly refit, and its list.</summary>
public sealed record RfmGroup(string Key, string Title, string Description, int Customers, decimal TotalSpent, int? MovedIn, int? MovedOut, string ListQuery);

/// <summary>
/// Every customer with an order in the 11 RFM groups. Counts are current (scores follow each order between refits); the
/// moves compare the groups of the last two weekly refits (<see cref="RefittedOn"/> against <see cref="ComparedWith"/>).
/// </summary>
public sealed record RfmOverview(int Customers, decimal TotalSpent, DateOnly? RefittedOn, DateOnly? ComparedWith, int? Moved, IReadOnlyList<RfmGroup> Groups, string Explanation);

public sealed class RfmOverviews(WinBackDbContext db, ReportScopes scopes)
{
    private sealed record GroupRow(short Segment, int Customers, decimal TotalSpent);

    public async Task<RfmOverview> GetAsync(ReportScope scope, CancellationToken cancellationToken)
    {
        var fit = await db.CustomerModelFits.AsNoTracking().Where(f => f.ShopId == scope.ShopId)
            .Select(f => new { f.DataThrough, f.RfmMovedIn, f.RfmMovedOut, f.RfmComparedWith }).SingleOrDefaultAsync(cancellationToken);
        var groupsSql = $$"""
            SELECT p.rfm_segment AS segment, count(*)::int AS customers, coalesce(sum(c.total_spent), 0) AS total_spent
            FROM {{CustomerPredictionPartitions.ScoresOf(scope.ShopId)}} p JOIN customers c ON c.shop_id = p.shop_id AND c.id = p.customer_id
            WHERE c.shop_id = {0} AND c.orders_count > 0
            GROUP BY p.rfm_segment
            """;
        var rows = await scopes.CachedAsync(scope.CacheKey("rfm-groups"), ct => db.Database.SqlQueryRaw<GroupRow>(groupsSql, scope.ShopId).ToListAsync(ct), cancellationToken);
        var bySegment = rows.ToDictionary(r => (RfmSegment)r.Segment);
        var groups = PredictionTerms.RfmSegments.Select(info =>
        {
            var row = bySegment.GetValueOrDefault(info.Segment);
            return new RfmGroup(info.Key, info.Title, info.Description, row?.Customers ?? 0, row?.TotalSpent ?? 0,
                fit?.RfmMovedIn?[(int)info.Segment], fit?.RfmMovedOut?[(int)info.Segment],
                new InactiveCustomersFilter { List = CustomerList.All, RfmSegments = new HashSet<RfmSegment> { info.Segment } }.ToQueryString());
        }).ToList();
        var explanation = fit is null
            ? "RFM groups appear after the first sync, once WinBack has scored your customers."
            : fit.RfmComparedWith is { } before
                ? $"Groups as of today; moves compare the weekly refit of {fit.DataThrough:yyyy-MM-dd} with the one of {before:yyyy-MM-dd}."
                : $"Groups as of today; moves between groups are counted from the next weekly refit (the first was on {fit.DataThrough:yyyy-MM-dd}).";
        return new RfmOverview(groups.Sum(g => g.Customers), groups.Sum(g => g.TotalSpent), fit?.DataThrough, fit?.RfmComparedWith,
            fit?.RfmMovedIn?.Sum(), groups, explanation);
    }
}
