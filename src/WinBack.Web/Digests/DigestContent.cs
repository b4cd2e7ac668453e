using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Web.Data;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.Digests;

public sealed record DigestSegment(SegmentInfo Info, int Customers, decimal TotalSpent, int? ChangeSinceLastWeek, string ReportUrl);

/// <summary>What one digest says, computed from the shop's data at the moment it is sent (never from a stale copy).</summary>
public sealed record DigestContent(
    ReportScope Scope,
    string Period,
    int Inactive,
    int? InactiveChange,
    decimal RevenueAtStake,
    int WentInactiveThisWeek,
    IReadOnlyList<ReportCustomer> WentInactive,
    IReadOnlyList<ReportCustomer> PriorityOne,
    IReadOnlyList<ReportCustomer> AtRisk,
    int AtRiskCount,
    IReadOnlyList<DigestSegment> Segments,
    RetentionTrend? Retention,
    OutcomeReport Outcomes,
    string ReportUrl,
    IReadOnlyList<WinBackOutcomes.Listed> Listings)
{
    public const int ListedCustomers = 10;
    /// <summary>The at-risk section names the few biggest spenders still active but slipping, each with the reason.</summary>
    public const int ListedAtRisk = 5;

    /// <summary>Stored with the delivery, so next week's digest can show the change.</summary>
    public string Figures() => JsonSerializer.Serialize(new DigestFigures(Inactive, RevenueAtStake, Segments.ToDictionary(s => s.Info.Key, s => s.Customers)));
}

public sealed record DigestFigures(int Inactive, decimal RevenueAtStake, Dictionary<string, int> Segments);

public sealed class DigestComposer(
    WinBackDbContext db, ReportScopes scopes, ReportSummaries summaries, InactiveCustomersQuery query, WinBackOutcomes outcomes, IOptions<ShopifyAppOptions> app)
{
    public async Task<DigestContent> ComposeAsync(long shopId, string period, CancellationToken cancellationToken)
    {
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var summary = await summaries.GetAsync(scope, cancellationToken);
        var threshold = scope.ThresholdWeeks;

        var crossed = FilterOf($"minWeeks={threshold}&maxWeeks={threshold}&sort=totalSpent&pageSize=25", threshold);
        // The group the page puts first (priority 1): high value and recently inactive, while winning them back pays best.
        var atRisk = FilterOf($"segment={WinBackRules.Info(Segment.HighValueRecent).Key}&sort=totalSpent&pageSize=25", threshold);
        // The named lists are for contact: the control group is held out of them (and recorded as such with the listings).
        var outgoing = await outcomes.StartListAsync(scope, ListingChannels.Digest, cancellationToken);
        List<ReportCustomer> Named(IEnumerable<CustomerRecord> rows, int count)
        {
            var named = new List<ReportCustomer>(count);
            foreach (var customer in rows.Select(r => ReportCustomer.From(r, scope)))
            {
                if (named.Count == count) break;
                if (outgoing.Contacts(customer)) named.Add(customer);
            }
            return named;
        }
        var wentInactive = Named((await query.PageAsync(scope, crossed, cancellationToken)).Rows, DigestContent.ListedCustomers);
        var priorityOne = Named((await query.PageAsync(scope, atRisk, cancellationToken)).Rows, DigestContent.ListedCustomers);
        // Before they lapse: recent buyers who are slipping (AtRiskRule), biggest spenders first; named for contact like the others.
        var slipping = FilterOf("list=at-risk&sort=totalSpent&pageSize=25", threshold);
        var slippingNamed = Named((await query.PageAsync(scope, slipping, cancellationToken)).Rows, DigestContent.ListedAtRisk);
        var slippingCount = await query.CountAsync(scope, slipping, cancellationToken);

        var previousFigures = await db.DigestDeliveries.AsNoTracking()
            .Where(d => d.ShopId == shopId && d.Kind == DigestDelivery.WeeklyDigest && d.Status == DeliveryStatus.Sent && d.Period.CompareTo(period) < 0)
            .OrderByDescending(d => d.Period).Select(d => d.Figures).FirstOrDefaultAsync(cancellationToken);
        var previous = previousFigures is null ? null : JsonSerializer.Deserialize<DigestFigures>(previousFigures);

        var reportUrl = app.Value.AdminReportUrl(scope.ShopDomain);
        var segments = summary.Segments.Select(s => new DigestSegment(
            WinBackRules.Info(s.Key), s.Customers, s.TotalSpent,
            previous?.Segments.TryGetValue(s.Key, out var before) == true ? s.Customers - before : null,
            $"{reportUrl}?segment={s.Key}")).ToList();

        return new DigestContent(scope, period, summary.Inactive, previous is null ? null : summary.Inactive - previous.Inactive, summary.RevenueAtStake,
            summary.WentInactiveThisWeek, wentInactive, priorityOne, slippingNamed, slippingCount, segments,
            summary.RetentionTrend, await outcomes.ReportAsync(shopId, cancellationToken), reportUrl, outgoing.Listed);
    }

    private static InactiveCustomersFilter FilterOf(string query, int threshold)
    {
        var (filter, errors) = InactiveCustomersFilter.Parse(query, threshold);
        return errors.Count == 0 ? filter : throw new InvalidOperationException($"The digest's own filter is invalid: {errors.First().Value[0]}");
    }
}
