using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Outcomes;
using WinBack.Web.Reports;
using WinBack.Web.Shops;

namespace WinBack.Web.ShopifyTags;

/// <summary>
/// Keeps one WinBack tag per inactive customer in Shopify (<c>winback:</c> + their segment, e.g. <c>winback:high-value-long</c>),
/// and <c>winback:at-risk</c> on each recent buyer of the at-risk list,
/// so Shopify segments, Flow and Shopify Email can act on them. Each run compares what the report says now with what
/// WinBack last wrote (<c>customer_tags</c>) and changes only the differences, one customer at a time through the
/// cost-aware client, recording each change as it lands: a crash resumes where it stopped. Turned off, it removes every
/// tag it wrote. At most <see cref="ShopifyTagsOptions.MaxChangesPerRun"/> changes per run; the rest follow in the next run,
/// queued at once. A customer counts as listed on the tags channel (for the outcomes and the lift) once their tag is in
/// Shopify: one whose tag waits for the next run is listed by that run.
/// </summary>
public sealed class CustomerTagJob(
    WinBackDbContext db,
    ShopAccessTokens tokens,
    ShopifyGraphQLClient shopify,
    ReportScopes scopes,
    InactiveCustomersQuery query,
    WinBackOutcomes outcomes,
    IBackgroundJobClient jobs,
    IOptions<ShopifyTagsOptions> options,
    TimeProvider time,
    ILogger<CustomerTagJob> logger)
{
    public const string Prefix = "winback:";
    public const string Scope = "write_customers";
    private const int LockNamespace = 0x54414753; // "TAGS"

    public static string TagOf(string segmentKey) => Prefix + segmentKey;

    /// <summary>The tag of a recent buyer on the at-risk list (AtRiskRule): never past the threshold, so never also a segment's tag.</summary>
    public static readonly string AtRiskTag = Prefix + "at-risk";

    /// <summary>Whether the merchant has granted the optional scope tagging needs (Shopify's answer, not our memory of it).</summary>
    public static async Task<bool> MayTagAsync(ShopifyGraphQLClient shopify, ShopifyCredentials credentials, CancellationToken cancellationToken) =>
        (await shopify.GetGrantedScopesAsync(credentials, cancellationToken)).Contains(Scope);

    /// <summary>On the <c>shopify</c> queue's workers: a run writes at the pace of the shop's cost bucket, for minutes.</summary>
    [AutomaticRetry(Attempts = 3), Queue(JobQueues.Shopify)]
    public async Task RunAsync(long shopId, CancellationToken cancellationToken)
    {
        if (!await db.RunExclusiveAsync(LockNamespace, shopId, () => RunLockedAsync(shopId, cancellationToken), cancellationToken))
            logger.LogInformation("Tags of shop {ShopId} are being written elsewhere; this run stands down", shopId);
    }

    private async Task RunLockedAsync(long shopId, CancellationToken cancellationToken)
    {
        var tagging = await db.ShopifyTaggings.SingleOrDefaultAsync(t => t.ShopId == shopId, cancellationToken);
        var installed = await db.Shops.AnyAsync(s => s.Id == shopId && s.UninstalledAt == null, cancellationToken);
        if (tagging is null || !installed) return;
        var written = await db.CustomerTags.AsNoTracking().Where(t => t.ShopId == shopId).ToDictionaryAsync(t => t.CustomerId, t => t.Tag, cancellationToken);
        if (!tagging.Enabled && written.Count == 0) return;

        var credentials = await tokens.GetAsync(shopId, cancellationToken);
        try
        {
            if (!await MayTagAsync(shopify, credentials, cancellationToken))
            {
                await FailAsync(tagging, "WinBack may not edit customers in this shop any more. Turn tagging off and on again to grant access.");
                return;
            }
            var (wanted, outgoing) = tagging.Enabled ? await WantedTagsAsync(shopId, cancellationToken) : ([], null);
            var changes = written.Keys.Union(wanted.Keys)
                .Select(id => (Id: id, Old: written.GetValueOrDefault(id), New: wanted.GetValueOrDefault(id)))
                .Where(c => c.Old != c.New)
                .ToList();
            var refused = new List<string>();
            var maxChanges = options.Value.MaxChangesPerRun;
            // What is in Shopify as the run goes: what was written before, then each change as it lands.
            var inShopify = new Dictionary<long, string>(written);
            foreach (var (id, old, wantedTag) in changes.Take(maxChanges))
            {
                try
                {
                    if (old is not null) await shopify.RemoveCustomerTagsAsync(credentials, id, [old], cancellationToken);
                    if (wantedTag is not null) await shopify.AddCustomerTagsAsync(credentials, id, [wantedTag], cancellationToken);
                    await RecordAsync(shopId, id, wantedTag, cancellationToken);
                    if (wantedTag is null) inShopify.Remove(id);
                    else inShopify[id] = wantedTag;
                }
                catch (ShopifyUserErrorsException e)
                {
                    // Most often the customer was deleted in Shopify meanwhile: there is no tag left to keep, so nothing is
                    // recorded and the others go on. Anything else is reported below, and tried again next run.
                    if (e.UserErrors.Any(u => u.Message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)))
                        await RecordAsync(shopId, id, null, cancellationToken);
                    else refused.Add(e.UserErrors.FirstOrDefault()?.Message ?? e.Message);
                }
            }
            // Listed: the contacted customers whose tag is in Shopify, and the control group's customers left without one.
            bool Settled(WinBackOutcomes.Listed l) => inShopify.TryGetValue(l.CustomerId, out var tag) ? !l.Control && tag == wanted.GetValueOrDefault(l.CustomerId) : l.Control;
            if (outgoing is not null) await outcomes.RecordAsync(shopId, outgoing.Listed.Where(Settled), outgoing.Channel, cancellationToken);
            tagging.LastRunAt = time.GetUtcNow();
            tagging.LastError = refused.Count == 0 ? null : $"Shopify refused the tags of {refused.Count} customers: {refused[0]}";
            tagging.TaggedCustomers = await db.CustomerTags.CountAsync(t => t.ShopId == shopId, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Shop {ShopId}: {Changed} of {Changes} tag changes written to Shopify", shopId, Math.Min(changes.Count, maxChanges), changes.Count);
            if (changes.Count > maxChanges) jobs.Enqueue<CustomerTagJob>(job => job.RunAsync(shopId, CancellationToken.None));
        }
        catch (ShopifyGraphQLException e) when (e.Errors.Any(x => x.Code == "ACCESS_DENIED"))
        {
            await FailAsync(tagging, "WinBack may not edit customers in this shop any more. Turn tagging off and on again to grant access.");
        }
    }

    /// <summary>
    /// Every inactive customer of the report's default view, with the tag of their segment, and every customer of the
    /// at-risk list; the control group's customers get no tag (a tag they carried is removed).
    /// </summary>
    private async Task<(Dictionary<long, string> Wanted, OutgoingList Outgoing)> WantedTagsAsync(long shopId, CancellationToken cancellationToken)
    {
        var scope = await scopes.LoadAsync(shopId, cancellationToken);
        var outgoing = await outcomes.StartListAsync(scope, ListingChannels.Tags, cancellationToken);
        var wanted = new Dictionary<long, string>();
        await foreach (var record in outgoing.ContactedOf(query.AllAsync(scope, new InactiveCustomersFilter(), cancellationToken), cancellationToken))
            if (ReportCustomer.From(record, scope).Segment is { } segment) wanted[record.Id] = TagOf(segment);
        await foreach (var record in outgoing.ContactedOf(query.AllAsync(scope, new InactiveCustomersFilter { List = CustomerList.AtRisk }, cancellationToken), cancellationToken))
            wanted[record.Id] = AtRiskTag;
        return (wanted, outgoing);
    }

    private async Task RecordAsync(long shopId, long customerId, string? tag, CancellationToken cancellationToken)
    {
        if (tag is null)
        {
            await db.CustomerTags.Where(t => t.ShopId == shopId && t.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
            return;
        }
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO customer_tags (shop_id, customer_id, tag) VALUES ({shopId}, {customerId}, {tag})
            ON CONFLICT (shop_id, customer_id) DO UPDATE SET tag = excluded.tag
            """, cancellationToken);
    }

    private async Task FailAsync(ShopifyTagging tagging, string reason)
    {
        logger.LogWarning("Tags of shop {ShopId} not written: {Reason}", tagging.ShopId, reason);
        tagging.LastRunAt = time.GetUtcNow();
        tagging.LastError = reason;
        await db.SaveChangesAsync(CancellationToken.None);
    }
}

/// <summary>The daily fan-out (after the night's refit): every installed shop with tagging on, or with tags left to remove.</summary>
public sealed class CustomerTagDispatcher(WinBackDbContext db, IBackgroundJobClient jobs)
{
    public const string RecurringId = "shopify-tags:daily";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var shops = await db.ShopifyTaggings.Where(t => t.Enabled || db.CustomerTags.Any(c => c.ShopId == t.ShopId))
            .Join(db.Shops.Where(s => s.UninstalledAt == null), t => t.ShopId, s => s.Id, (t, _) => t.ShopId).ToListAsync(cancellationToken);
        foreach (var shopId in shops) jobs.Enqueue<CustomerTagJob>(job => job.RunAsync(shopId, CancellationToken.None));
    }
}
