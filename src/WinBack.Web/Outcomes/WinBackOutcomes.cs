using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Privacy;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Outcomes;

/// <summary>
/// Of the contacted customers listed N days ago or more, how many placed a qualifying order within N days of being listed,
/// and what those orders came to. <see cref="Listed"/> counts only listings old enough for the window, so a rate is never
/// diluted by customers who have not had the time yet.
/// </summary>
public sealed record OutcomeWindow(int Days, int Listed, int CameBack, decimal Revenue)
{
    public double? Rate => Listed == 0 ? null : Math.Round((double)CameBack / Listed, 4);
}

/// <summary>Outcomes of one segment (or of all, <see cref="Segment"/> null): came back so far, and within 30 / 60 / 90 days.</summary>
public sealed record OutcomeRow(string? Segment, int Listed, int CameBackSoFar, decimal RevenueSoFar, IReadOnlyList<OutcomeWindow> Windows);

/// <summary>The contacted customers' outcomes, and the lift against the control group.</summary>
public sealed record OutcomeReport(int LookbackDays, OutcomeRow All, IReadOnlyList<OutcomeRow> Segments, LiftReport Lift);

/// <summary>
/// Win-back outcomes (PRODUCT.md, beyond the peers): who WinBack listed (digest, CSV, Sheet, scheduled report, tags) or
/// held out for the control group, and who came back. The jobs and the CSV download send an <see cref="OutgoingList"/>
/// and record it with <see cref="RecordAsync(OutgoingList, CancellationToken)"/>; <see cref="ReportAsync"/> answers from
/// the listings and the orders index, counting a listing's spell once however many times it was listed.
/// </summary>
public sealed class WinBackOutcomes(WinBackDbContext db, TimeProvider time, ILogger<WinBackOutcomes> logger)
{
    public static readonly int[] WindowDays = [30, 60, 90];
    public const int LookbackDays = 365;

    /// <summary>A customer as listed: their id, the last order date their inactive spell started from, their segment key, and whether the control group held them out.</summary>
    public readonly record struct Listed(long CustomerId, DateOnly LastOrderOn, string? Segment, bool Control = false);

    public async Task<ControlGroup> ControlGroupAsync(long shopId, CancellationToken cancellationToken)
    {
        var salt = await db.ShopSettings.Where(s => s.ShopId == shopId && s.ControlGroupOn).Select(s => s.ControlGroupSalt).SingleOrDefaultAsync(cancellationToken);
        return new ControlGroup(shopId, salt);
    }

    /// <summary>A list about to go out through <paramref name="channel"/>, with the shop's control group held out of it.</summary>
    public async Task<OutgoingList> StartListAsync(ReportScope scope, ListingChannels channel, CancellationToken cancellationToken, int keepFirst = 0) =>
        new(await ControlGroupAsync(scope.ShopId, cancellationToken), scope, channel, keepFirst);

    public Task RecordAsync(OutgoingList list, CancellationToken cancellationToken) => RecordAsync(list.ShopId, list.Listed, list.Channel, cancellationToken);

    /// <summary>
    /// Records a list that went out: each customer's spell (id and the last order it started from) once, with the channel.
    /// The rows go by binary COPY into a temporary table and are merged in one statement: a CSV of 800,000 customers
    /// costs seconds, not the many round trips of batched inserts. Joins the caller's transaction when there is one.
    /// </summary>
    public async Task RecordAsync(long shopId, IEnumerable<Listed> customers, ListingChannels channel, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await db.Database.OpenConnectionAsync(cancellationToken);
        if (await db.Database.InTransactionAsync(() => RecordHeldAsync(shopId, customers, channel, started, cancellationToken), cancellationToken) is not { } recorded)
            return;
        logger.LogInformation("Recorded a list of {Listed} customers of shop {ShopId} ({Channel}) in {Seconds:F1} s (copied {Copied:F1} s, then merged)",
            recorded.Listed, shopId, channel, Stopwatch.GetElapsedTime(started).TotalSeconds, recorded.Copied.TotalSeconds);
    }

    /// <summary>The list recorded in the transaction of <see cref="RecordAsync(long, IEnumerable{Listed}, ListingChannels, CancellationToken)"/>:
    /// how many were listed and when the copy ended, or null for a shop that is gone.</summary>
    private async Task<(int Listed, TimeSpan Copied)?> RecordHeldAsync(long shopId, IEnumerable<Listed> customers, ListingChannels channel, long started,
        CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        // The shop's row is held as a foreign key would hold it, once for the whole list: a shop deleted meanwhile
        // (shop/redact) waits for this commit and takes the listings with it; a shop already gone records nothing.
        var shop = await db.Database.SqlQuery<long>($"SELECT id AS \"Value\" FROM shops WHERE id = {shopId} FOR KEY SHARE").ToListAsync(cancellationToken);
        if (shop.Count == 0) return null;
        // A customer erased since the list was read is not recorded, nor left behind by an erasure running meanwhile.
        await CustomerErasure.HoldOffAsync(db, shopId, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("""
            DROP TABLE IF EXISTS pg_temp.listed_now;
            CREATE TEMP TABLE listed_now (customer_id bigint NOT NULL, last_order_on date NOT NULL, segment text NOT NULL, control boolean NOT NULL) ON COMMIT DROP;
            """, cancellationToken);
        var listed = 0;
        await using (var copy = await connection.BeginBinaryImportAsync("COPY listed_now (customer_id, last_order_on, segment, control) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            // Each customer once (the table has no key to check it). Synchronous writes: they only fill Npgsql's buffer until
            // it is full, and awaiting each field cost more than the I/O.
            foreach (var c in customers.DistinctBy(c => c.CustomerId))
            {
                copy.StartRow();
                copy.Write(c.CustomerId, NpgsqlTypes.NpgsqlDbType.Bigint);
                copy.Write(c.LastOrderOn, NpgsqlTypes.NpgsqlDbType.Date);
                copy.Write(c.Segment ?? "none", NpgsqlTypes.NpgsqlDbType.Text);
                copy.Write(c.Control, NpgsqlTypes.NpgsqlDbType.Boolean);
                if (++listed % 10_000 == 0) cancellationToken.ThrowIfCancellationRequested();
            }
            await copy.CompleteAsync(cancellationToken);
        }
        var copied = Stopwatch.GetElapsedTime(started);
        // A spell listed for contact once is contacted for good: the control flag only stays while every listing held it out.
        // A listing that changes nothing (the weekly Sheet naming the same customers again) leaves its row alone.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO winback_listings (shop_id, customer_id, last_order_on, first_listed_at, segment, channels, control)
            SELECT {shopId}, l.customer_id, l.last_order_on, {time.GetUtcNow()}, l.segment, {(int)channel}, l.control FROM listed_now l
            WHERE EXISTS (SELECT 1 FROM customers c WHERE c.shop_id = {shopId} AND c.id = l.customer_id)
            ON CONFLICT (shop_id, customer_id, last_order_on) DO UPDATE
                SET channels = winback_listings.channels | excluded.channels, control = winback_listings.control AND excluded.control
                WHERE excluded.channels & ~winback_listings.channels <> 0 OR (winback_listings.control AND NOT excluded.control)
            """, cancellationToken);
        return (listed, copied);
    }

    private sealed record Cell(string Segment, bool Control, int Days, int Listed, int CameBack, decimal Revenue, decimal RevenueSquares);

    /// <summary>Listings of the last year, by segment, group and window; window 0 is "so far".</summary>
    public async Task<OutcomeReport> ReportAsync(long shopId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windows = WindowDays.Prepend(0).ToArray();
        var cells = await db.Database.SqlQueryRaw<Cell>($"""
            SELECT l.segment, l.control, w.days, count(*)::int AS listed, count(back.revenue)::int AS came_back,
                   coalesce(sum(back.revenue), 0) AS revenue, coalesce(sum(back.revenue * back.revenue), 0) AS revenue_squares
            FROM winback_listings l
            CROSS JOIN unnest(@windows) AS w(days)
            LEFT JOIN LATERAL (
                SELECT sum(o.current_total) AS revenue
                FROM orders o
                WHERE o.shop_id = l.shop_id AND o.customer_id = l.customer_id AND {QualifyingOrders.Sql}
                  AND o.processed_at > l.first_listed_at AND (w.days = 0 OR o.processed_at <= l.first_listed_at + make_interval(days => w.days))
                HAVING count(*) > 0) back ON true
            WHERE l.shop_id = @shop AND l.first_listed_at > @since
              AND (w.days = 0 OR l.first_listed_at <= @now - make_interval(days => w.days))
            GROUP BY l.segment, l.control, w.days
            """, new NpgsqlParameter("windows", windows), new NpgsqlParameter("shop", shopId), new NpgsqlParameter("since", now.AddDays(-LookbackDays)),
            new NpgsqlParameter("now", now)).ToListAsync(cancellationToken);

        GroupOutcome GroupOf(IEnumerable<Cell> of, int days, bool control)
        {
            var these = of.Where(c => c.Days == days && c.Control == control).ToList();
            return new GroupOutcome(these.Sum(c => c.Listed), these.Sum(c => c.CameBack), these.Sum(c => c.Revenue)) { RevenueSquares = these.Sum(c => c.RevenueSquares) };
        }

        OutcomeRow RowOf(string? segment, IReadOnlyList<Cell> of)
        {
            var soFar = GroupOf(of, 0, control: false);
            return new OutcomeRow(segment, soFar.Listed, soFar.CameBack, soFar.Revenue,
                WindowDays.Select(d => GroupOf(of, d, control: false)).Select((g, i) => new OutcomeWindow(WindowDays[i], g.Listed, g.CameBack, g.Revenue)).ToList());
        }

        LiftRow LiftOf(string? segment, IReadOnlyList<Cell> of) =>
            new(segment, WindowDays.Select(d => LiftStatistics.Compare(d, GroupOf(of, d, control: false), GroupOf(of, d, control: true))).ToList());

        var keys = WinBackRules.Segments.Select(s => s.Key).Where(key => cells.Any(c => c.Segment == key)).ToList();
        var bySegment = keys.ToDictionary(key => key, key => (IReadOnlyList<Cell>)cells.Where(c => c.Segment == key).ToList());
        var contactedKeys = keys.Where(key => bySegment[key].Any(c => !c.Control));
        var allLift = LiftOf(null, cells);
        var group = await ControlGroupAsync(shopId, cancellationToken);
        var (headline, headlineDays) = LiftStatistics.Headline(group.IsOn, allLift);
        var lift = new LiftReport(group.IsOn, ControlGroup.Percent, ControlGroup.Why, LiftStatistics.Method, headline, headlineDays, allLift,
            keys.Select(key => LiftOf(key, bySegment[key])).ToList());
        return new OutcomeReport(LookbackDays, RowOf(null, cells), contactedKeys.Select(key => RowOf(key, bySegment[key])).ToList(), lift);
    }
}
