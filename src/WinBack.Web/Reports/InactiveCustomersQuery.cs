using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Analytics;
using WinBack.Web.Data;
using WinBack.Web.Predictions;

namespace WinBack.Web.Reports;

/// <summary>A customer row of the report, straight from the rollup columns; dates already in the shop's timezone.</summary>
public sealed record CustomerRecord(long Id, string? FirstName, string? LastName, string? Email, string? EmailMarketingState,
    DateOnly? LastOrderDate, int OrdersCount, decimal TotalSpent, DateOnly CreatedDate, Predicted Prediction);

/// <summary>The customer's predictions as last refitted (all null before the first refit or where the models had too little to go on).</summary>
public sealed record Predicted(double? ProbabilityAlive, double? UsualIntervalDays, DateOnly? OverdueOn, DateOnly? ExpectedNextOrderOn, decimal? PredictedValue,
    short? RfmScore, RfmSegment? RfmSegment);

public sealed record CustomerPage(IReadOnlyList<CustomerRecord> Rows, string? NextCursor);

/// <summary>A position in a sorted list: the sort it belongs to, the last row's sort value and id. Opaque to clients.</summary>
public sealed class InvalidCursorException() : Exception("The page cursor does not belong to this list. Start again from the first page.");

/// <summary>
/// The customer lists of one shop (inactive, at risk, all with an order, without orders), served from the customers'
/// rollup columns and their indexes, never from a scan of orders. Pages are keyset pages (the last row's sort value and id), so page 1,000 costs what page 1 does.
/// Counts are cached per data version (see <see cref="ReportScope"/>).
/// </summary>
public sealed class InactiveCustomersQuery(WinBackDbContext db, ReportScopes scopes)
{
    /// <summary>
    /// The shop's scores: its own partition of <c>customer_predictions</c> once it has a fit (named, so PostgreSQL plans
    /// one table, not the partitioned one with its pruning), before it the partitioned table pruned to the shop by a
    /// constant (<see cref="CustomerPredictionPartitions.ScoresOf"/>: no rows, and no other shop's partition touched). A
    /// placeholder until <see cref="SqlText.Text"/> names the table for the scope.
    /// </summary>
    private const string Scores = "@scores";

    /// <summary>
    /// Customers with their predictions beside them (a left join by key: a page looks up its rows' predictions, and a
    /// statement that reads no prediction column drops the join). Only <c>shop_id</c> is in both tables: it is written <c>c.shop_id</c>.
    /// </summary>
    private const string From = "customers c LEFT JOIN " + Scores + " p ON p.shop_id = c.shop_id AND p.customer_id = c.id";

    /// <summary>
    /// The same rows for a prediction sort once the shop has a fit: every customer with a qualifying order then has a
    /// prediction row (the refit writes everyone, a webhook's rescoring and a sync's <see cref="CustomerRescoring"/> the
    /// rest), so an inner join lets PostgreSQL walk the sort's index on <c>customer_predictions</c> and stop after a page.
    /// </summary>
    private const string FromPredictions = Scores + " p JOIN customers c ON c.shop_id = p.shop_id AND c.id = p.customer_id";

    /// <summary>
    /// The scores alone, for a list whose every condition is on them (<see cref="ReadsScoresAlone"/>): the weeks away are
    /// asked of the scores' copy of the last order (<c>scored_last_order_at</c>, written with them), and having scores is
    /// having a qualifying order, so the customers are read only for the page's rows.
    /// </summary>
    private const string FromScoresAlone = Scores + " p";

    /// <summary>The scores' copy of the customer's last order, in the customers' terms (<see cref="FromScoresAlone"/>).</summary>
    private const string ScoredLastOrderAt = "p.scored_last_order_at";

    /// <summary>The customer's own last order (their rollup).</summary>
    private const string CustomersLastOrderAt = "last_order_at";

    /// <summary>
    /// The report's columns. The last order and the sign-up are read as instants and dated by the shop's calendar, as the
    /// week filters are (<see cref="ShopCalendar"/>): the database's own time-zone data could put an order near midnight on
    /// another day than the one its weeks away count from.
    /// </summary>
    private const string Columns = "id, first_name, last_name, email, email_marketing_state, last_order_at, orders_count, total_spent, created_at, " +
                                   "probability_alive, usual_interval_days, overdue_on, expected_next_order_on, predicted_value, rfm_score, rfm_segment";

    public async Task<CustomerPage> PageAsync(ReportScope scope, InactiveCustomersFilter filter, CancellationToken cancellationToken)
    {
        var sql = new SqlText(scope);
        var order = SortColumn(scope, filter, sql);
        var where = Where(scope, filter, sql, order.From);
        var descending = filter.Descending != order.Reversed;
        var direction = descending ? "DESC" : "ASC";
        if (order.SortsFoundRows && await FoundRowsPageAsync(scope, filter, order.Type, cancellationToken) is { } foundPage) return foundPage;
        if (filter.After is { } after)
        {
            var (value, id) = DecodeCursor(after, filter.Sort, order.Type);
            where += $" AND ({order.Expression}, {order.Id}) {(descending ? "<" : ">")} ({sql.Add(value, order.Type)}, {sql.Add(id)})";
        }
        if (!KeysInOneIndex(order, filter))
        {
            sql.Append($"SELECT {Columns}, {order.Expression} AS sort_value FROM {order.From} WHERE {where} " +
                       $"ORDER BY {order.Expression} {direction}, {order.Id} {direction} LIMIT {filter.PageSize + 1}");
            return await ReadPageAsync(sql, scope.Calendar.LocalDate, filter, cancellationToken);
        }
        // The page's keys first, then its rows: the keys' statement reads only what the conditions and the sort need, so
        // an index that carries them answers it alone (an index-only scan, filters included), and only the page's own
        // rows are read from the tables. A filter that a plain index scan checks against each table row (total spent on
        // the inactive index, an RFM group on the scores) visited thousands of rows a page.
        var keys = order.SortsFoundRows
            ? FoundThenSorted(order, where, direction, filter.PageSize + 1)
            : $"{KeysSql(order, where)} ORDER BY {order.Expression} {direction}, {order.Id} {direction} LIMIT {filter.PageSize + 1}";
        sql.Append($"SELECT {Columns}, k.key_sort FROM ({keys}) k JOIN ({From}) ON c.shop_id = {sql.Add(scope.ShopId)} AND c.id = k.key_id" +
                   $" ORDER BY k.key_sort {direction}, k.key_id {direction}");
        return await ReadPageAsync(sql, scope.Calendar.LocalDate, filter, cancellationToken);
    }

    /// <summary>
    /// Whether one index alone finds the page's keys, so that reading the keys first and then the page's rows pays off: the
    /// scores' indexes for a list read from the scores alone, the customers' inactive index (last order, carrying total
    /// spent: windows, segments, high value, a minimum spent) and their index without orders (sign-up date, carrying the
    /// marketing state). A sort by name or email (expression indexes), a search, or a condition on another table or column
    /// reads each row it passes anyway, and the page is then read in one statement (keys first would look its rows up twice).
    /// A list whose rows are found and then sorted is always read keys first.
    /// </summary>
    private static bool KeysInOneIndex(ListOrder order, InactiveCustomersFilter filter) =>
        order.From == FromScoresAlone || order.SortsFoundRows
        || order.From == From && string.IsNullOrEmpty(filter.Search) && (filter.List == CustomerList.WithoutOrders
            ? filter.Sort == CustomerSort.SignedUp
            : filter is { List: CustomerList.Inactive or CustomerList.All, Sort: CustomerSort.LastOrder or CustomerSort.Segment, Consent: null, Mode: InactivityMode.FixedWeeks }
              && filter.RfmSegments.Count == 0 && filter.Risks.Count is 0 or 3);

    /// <summary>The keys (<c>key_id</c>, <c>key_sort</c>) of the rows the conditions find, in the sort's terms.</summary>
    private static string KeysSql(ListOrder order, string where) =>
        $"SELECT {order.Id} AS key_id, {order.Expression} AS key_sort FROM {order.From} WHERE {where}";

    /// <summary>
    /// The first <paramref name="limit"/> keys of a list whose rows are found, then sorted: OFFSET 0 keeps PostgreSQL from
    /// walking the sort's index (see <see cref="Predicted"/>).
    /// </summary>
    private static string FoundThenSorted(ListOrder order, string where, string direction, int limit) =>
        $"SELECT * FROM ({KeysSql(order, where)} OFFSET 0) found ORDER BY key_sort {direction}, key_id {direction} LIMIT {limit}";

    /// <summary>The most keys of a found-and-sorted list kept in memory; a longer list is paged by its keyset in SQL.</summary>
    private const int MostFoundKeysKept = 50_000;

    /// <summary>Keys of a found-and-sorted list to a unit of the cache's limit: about a kilobyte, as a cached count's unit.</summary>
    private const int FoundKeysPerCacheUnit = 25;

    /// <summary>A found-and-sorted list's keys in its order, with each one's sort value.</summary>
    private sealed record FoundKeys(long[] Ids, object[] SortValues);

    /// <summary>
    /// A list whose rows are found and then sorted (the at-risk list by a prediction, <see cref="ListOrder.SortsFoundRows"/>)
    /// is found once per data version and day, like its count: its keys in order are cached, and a page is the slice after
    /// the cursor's row, its rows read by key. Finding and sorting 6,000 at-risk customers among 120,000 recent buyers took
    /// 23 ms a page, every page, at 1,000,000 customers. Null (the page is then found by its keyset in SQL) for a search
    /// (typed a letter at a time, each a list of its own), for a list too long to keep (by its cached count), or where the
    /// cursor is not a row of the cached list as it was written (the list changed since).
    /// </summary>
    private async Task<CustomerPage?> FoundRowsPageAsync(ReportScope scope, InactiveCustomersFilter filter, NpgsqlDbType sortType, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(filter.Search) || await CountAsync(scope, filter, cancellationToken) > MostFoundKeysKept) return null;
        var canonical = (filter with { After = null, PageSize = 50 }).ToQueryString();
        var found = await scopes.CachedAsync(scope.CacheKey("found-keys:" + canonical), ct => ReadFoundKeysAsync(scope, filter, ct), cancellationToken,
            size: keys => 1 + (keys?.Ids.Length ?? 0) / FoundKeysPerCacheUnit);
        if (found is null) return null;
        var start = 0;
        if (filter.After is { } after)
        {
            var at = Array.IndexOf(found.Ids, DecodeCursor(after, filter.Sort, sortType).Id);
            if (at < 0 || EncodeCursor(filter.Sort, found.SortValues[at], found.Ids[at]) != after) return null;
            start = at + 1;
        }
        var pageIds = found.Ids.AsSpan(start, Math.Min(filter.PageSize, found.Ids.Length - start)).ToArray();
        var sql = new SqlText(scope);
        sql.Append($"SELECT {Columns} FROM {From} WHERE c.shop_id = {sql.Add(scope.ShopId)} AND c.id = ANY({sql.Add(pageIds)})");
        var rows = new Dictionary<long, CustomerRecord>(pageIds.Length);
        await foreach (var (row, _) in ReadAsync(sql, scope.Calendar.LocalDate, withSortValue: false, cancellationToken)) rows[row.Id] = row;
        var end = start + pageIds.Length;
        var cursor = end < found.Ids.Length ? EncodeCursor(filter.Sort, found.SortValues[end - 1], found.Ids[end - 1]) : null;
        return new CustomerPage(pageIds.Where(rows.ContainsKey).Select(id => rows[id]).ToList(), cursor);
    }

    /// <summary>The list's keys, or null when it holds more than can be kept (it grew past the limit since its count was read).</summary>
    private async Task<FoundKeys?> ReadFoundKeysAsync(ReportScope scope, InactiveCustomersFilter filter, CancellationToken cancellationToken)
    {
        var sql = new SqlText(scope);
        var order = SortColumn(scope, filter, sql);
        var direction = filter.Descending != order.Reversed ? "DESC" : "ASC";
        sql.Append(FoundThenSorted(order, Where(scope, filter, sql, order.From), direction, MostFoundKeysKept + 1));
        var (ids, sortValues) = (new List<long>(), new List<object>());
        await using var command = await CommandAsync(sql, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
            sortValues.Add(reader.GetValue(1));
        }
        return ids.Count > MostFoundKeysKept ? null : new FoundKeys([.. ids], [.. sortValues]);
    }

    private async Task<CustomerPage> ReadPageAsync(SqlText sql, Func<DateTimeOffset, DateOnly> localDate, InactiveCustomersFilter filter, CancellationToken cancellationToken)
    {
        var rows = new List<CustomerRecord>(filter.PageSize + 1);
        object? lastSortValue = null;
        await foreach (var (row, sortValue) in ReadAsync(sql, localDate, withSortValue: true, cancellationToken))
        {
            rows.Add(row);
            if (rows.Count <= filter.PageSize) lastSortValue = sortValue;
        }
        if (rows.Count <= filter.PageSize) return new CustomerPage(rows, null);
        rows.RemoveAt(rows.Count - 1);
        return new CustomerPage(rows, EncodeCursor(filter.Sort, lastSortValue!, rows[^1].Id));
    }

    private static readonly string PersonalCycleOnly = new InactiveCustomersFilter { Mode = InactivityMode.PersonalCycle }.ToQueryString();

    /// <summary>How many customers the filter matches (cached until the shop's customers change or the day turns).</summary>
    public Task<int> CountAsync(ReportScope scope, InactiveCustomersFilter filter, CancellationToken cancellationToken)
    {
        var sort = InactiveCustomersFilter.DefaultSort(filter.List);
        var canonical = (filter with { After = null, Sort = sort, Descending = InactiveCustomersFilter.DefaultDescending(sort), PageSize = 50 }).ToQueryString();
        return scopes.CachedAsync(scope.CacheKey("inactive-count:" + canonical), async ct =>
        {
            var sql = new SqlText(scope);
            if (canonical == PersonalCycleOnly && scope.HasPredictions)
            {
                // The personal-cycle list as a whole, from the scores' two indexes: overdue by their own cycle, and the
                // customers without one (a single order day) away the shop's weeks.
                var shop = sql.Add(scope.ShopId);
                sql.Append($"SELECT ((SELECT count(*) FROM {Scores} WHERE shop_id = {shop} AND coalesce(overdue_on, 'infinity') <= {sql.Add(scope.Calendar.Today)})" +
                           $" + (SELECT count(*) FROM {Scores} WHERE shop_id = {shop} AND overdue_on IS NULL" +
                           $" AND scored_last_order_at < {sql.Add(WinBackRules.InactiveBefore(scope))}))::int");
            }
            else sql.Append($"SELECT count(*)::int FROM {From} WHERE {Where(scope, filter, sql)}");
            await using var command = await CommandAsync(sql, ct);
            return (int)(await command.ExecuteScalarAsync(ct))!;
        }, cancellationToken);
    }

    /// <summary>Every matching customer in the filter's order, streamed (the CSV export).</summary>
    public async IAsyncEnumerable<CustomerRecord> AllAsync(ReportScope scope, InactiveCustomersFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sql = new SqlText(scope);
        var order = SortColumn(scope, filter, sql);
        var direction = filter.Descending != order.Reversed ? "DESC" : "ASC";
        // Every row's columns are read here, so the customers are joined even where the page's keys come from the scores alone.
        var from = order.From == FromScoresAlone ? FromPredictions : order.From;
        sql.Append($"SELECT {Columns} FROM {from} WHERE {Where(scope, filter, sql, from)} ORDER BY {order.Expression} {direction}, {order.Id} {direction}");
        await foreach (var (row, _) in ReadAsync(sql, scope.Calendar.RecentLocalDays().DateOf, withSortValue: false, cancellationToken)) yield return row;
    }

    /// <param name="rows">The rows read (<see cref="From"/>, <see cref="FromPredictions"/>, <see cref="FromScoresAlone"/>). From a
    /// prediction sort's index, the weeks away are also asked of the scores' copy of the last order, which the index
    /// carries, so rows outside the range are skipped without a visit to their customer.</param>
    private static string Where(ReportScope scope, InactiveCustomersFilter filter, SqlText sql, string rows = From)
    {
        if (rows == FromScoresAlone) return ScoresWhere(scope, filter, sql);
        var fromPredictions = rows == FromPredictions;
        // Literal conditions on orders_count, so PostgreSQL can use the partial indexes (customers with orders, and without).
        var where = new StringBuilder($"c.shop_id = {sql.Add(scope.ShopId)} AND orders_count {(filter.List == CustomerList.WithoutOrders ? "= 0" : "> 0")}");
        if (filter.List != CustomerList.Inactive) where.Append(ListCondition(scope, filter.List, sql, fromPredictions));
        else if (filter.Mode == InactivityMode.PersonalCycle) where.Append(PersonalCycleSql(scope, sql, CustomersLastOrderAt));
        else
        {
            AppendWeeksAway(scope, filter, sql, where, CustomersLastOrderAt);
            if (fromPredictions) AppendWeeksAway(scope, filter, sql, where, ScoredLastOrderAt);
        }
        AppendCustomerFilters(scope, filter, sql, where);
        AppendPredictionFilters(filter, sql, where);
        return where.ToString();
    }

    /// <summary>The filter's conditions on the customers' own columns beyond the list: segments, sign-up dates, value, search, consent.</summary>
    private static void AppendCustomerFilters(ReportScope scope, InactiveCustomersFilter filter, SqlText sql, StringBuilder where)
    {
        var calendar = scope.Calendar;
        if (filter.Segments.Count is > 0 and < 4)
        {
            var (highValue, longInactive) = SegmentTerms(scope, sql);
            var conditions = filter.Segments.Order().Select(segment => WinBackRules.SegmentSql(segment, highValue, longInactive));
            where.Append($" AND ({string.Join(" OR ", conditions)})");
        }
        var (signedUpFrom, signedUpTo) = filter.SignedUpRange(calendar.Today);
        if (signedUpFrom is { } from) where.Append($" AND created_at >= {sql.Add(calendar.StartOfDay(from))}");
        if (signedUpTo is { } to) where.Append($" AND created_at < {sql.Add(calendar.StartOfDay(to.AddDays(1)))}");
        if (filter.HighValueOnly) where.Append($" AND {WinBackRules.HighValueSql(sql.Add(scope.HighValueLine))}");
        if (filter.MinTotalSpent is { } minSpent) where.Append($" AND total_spent >= {sql.Add(minSpent)}");
        if (!string.IsNullOrEmpty(filter.Search))
        {
            var pattern = sql.Add("%" + filter.Search.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%");
            where.Append($" AND (email ILIKE {pattern} OR (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ILIKE {pattern})");
        }
        if (filter.Consent == EmailConsent.Subscribed) where.Append(" AND email_marketing_state = 'SUBSCRIBED'");
        if (filter.Consent == EmailConsent.NotSubscribed) where.Append(" AND email_marketing_state IS DISTINCT FROM 'SUBSCRIBED'");
    }

    /// <summary>The conditions of a list read from the scores alone (<see cref="ReadsScoresAlone"/>), in the scores' own columns.</summary>
    private static string ScoresWhere(ReportScope scope, InactiveCustomersFilter filter, SqlText sql)
    {
        var where = new StringBuilder($"p.shop_id = {sql.Add(scope.ShopId)}");
        if (filter.List == CustomerList.AtRisk)
            where.Append($" AND {ScoredLastOrderAt} >= {sql.Add(WinBackRules.InactiveBefore(scope))}{AtRiskRuleSql(scope, sql)}");
        else if (filter.List == CustomerList.Inactive && filter.Mode == InactivityMode.PersonalCycle) where.Append(PersonalCycleSql(scope, sql, ScoredLastOrderAt));
        else if (filter.List == CustomerList.Inactive) AppendWeeksAway(scope, filter, sql, where, ScoredLastOrderAt);
        AppendPredictionFilters(filter, sql, where);
        return where.ToString();
    }

    /// <summary>The filter's range of whole weeks away, on <paramref name="lastOrderAt"/> (the customer's, or the scores' copy of it).</summary>
    private static void AppendWeeksAway(ReportScope scope, InactiveCustomersFilter filter, SqlText sql, StringBuilder where, string lastOrderAt)
    {
        var (minWeeks, maxWeeks) = filter.WeeksRange(scope.ThresholdWeeks);
        where.Append($" AND {WinBackRules.InactiveSinceSql(sql.Add(scope.Calendar.AtLeastWeeksAgo(minWeeks)), lastOrderAt)}");
        if (maxWeeks is { } max) where.Append($" AND {lastOrderAt} >= {sql.Add(scope.Calendar.AtMostWeeksAgo(max))}");
    }

    /// <summary>
    /// The personal-cycle list on <paramref name="lastOrderAt"/>: away at least twice the customer's usual interval (and two
    /// weeks), the day fixed in <c>overdue_on</c>; one-order customers keep the shop's fixed weeks.
    /// </summary>
    private static string PersonalCycleSql(ReportScope scope, SqlText sql, string lastOrderAt) =>
        $" AND CASE WHEN overdue_on IS NULL THEN {WinBackRules.InactiveSinceSql(sql.Add(WinBackRules.InactiveBefore(scope)), lastOrderAt)}" +
        $" ELSE overdue_on <= {sql.Add(scope.Calendar.Today)} END";

    /// <summary>
    /// Whether the scores alone can say who is on the list: once the shop has a fit, for a list of customers with orders
    /// and no filter on the customers' own columns. A prediction sort then walks its index, which carries the sort's own
    /// column and the last order, without visiting the rows it passes (the inactive list sorted by 12-month value visited
    /// the scores of 1,700 recent buyers a page).
    /// </summary>
    private static bool ScoresSuffice(ReportScope scope, InactiveCustomersFilter filter) =>
        scope.HasPredictions && filter.List != CustomerList.WithoutOrders && !FiltersCustomerColumns(scope, filter);

    /// <summary>
    /// Whether the list in last-order order is read from the scores alone: a list whose every condition is on the scores
    /// (the at-risk list, the personal-cycle list, an RFM group or a churn-risk band; <see cref="ScoresSuffice"/>). The
    /// scores' index by last order (<c>ix_customer_predictions_last_order</c>) carries every such condition, so a page walks
    /// it without visiting the rows it passes: an RFM group filter visited each inactive customer's scores until a page
    /// was found (16 ms a page at 1,000,000 customers). Without such a condition the customers' inactive index serves.
    /// </summary>
    private static bool ReadsScoresAlone(ReportScope scope, InactiveCustomersFilter filter) =>
        ScoresSuffice(scope, filter)
        && (filter.List == CustomerList.AtRisk || filter is { List: CustomerList.Inactive, Mode: InactivityMode.PersonalCycle }
            || filter.RfmSegments.Count > 0 || filter.Risks.Count is > 0 and < 3);

    /// <summary>
    /// Whether the filter asks anything of the customers' own columns beyond the list itself (see <see cref="FromScoresAlone"/>):
    /// whether <see cref="AppendCustomerFilters"/> writes a condition, so a filter added there is never ignored here.
    /// </summary>
    private static bool FiltersCustomerColumns(ReportScope scope, InactiveCustomersFilter filter)
    {
        var conditions = new StringBuilder();
        AppendCustomerFilters(scope, filter, new SqlText(scope), conditions);
        return conditions.Length > 0;
    }

    /// <summary>The churn-risk bands and RFM groups asked for, as conditions on the scores.</summary>
    private static void AppendPredictionFilters(InactiveCustomersFilter filter, SqlText sql, StringBuilder where)
    {
        if (filter.Risks.Count is > 0 and < 3)
        {
            var bands = filter.Risks.Order().Select(PredictionTerms.Info).Select(r => r.MaxAlive is { } max
                ? $"(probability_alive >= {sql.Add(r.MinAlive)} AND probability_alive < {sql.Add(max)})"
                : $"probability_alive >= {sql.Add(r.MinAlive)}");
            where.Append($" AND ({string.Join(" OR ", bands)})");
        }
        if (filter.RfmSegments.Count > 0) where.Append($" AND rfm_segment = ANY({sql.Add(filter.RfmSegments.Select(r => (short)r).ToArray())})");
    }

    /// <summary>
    /// The at-risk list (<see cref="AtRiskRule"/>): recent buyers, the inactive index's range from the threshold up, who are
    /// overdue by their own cycle, below the P(alive) line or in a slipping RFM group. Found from the scores (a prediction
    /// sort), the recent range is also asked of the scores' own last order date: the scores' index by that date carries
    /// every column of the rule, so the list is found there without a visit to its rows. The list of all has no condition,
    /// nor the list without orders (its <c>orders_count = 0</c> is the whole rule: no qualifying order).
    /// </summary>
    private static string ListCondition(ReportScope scope, CustomerList list, SqlText sql, bool fromPredictions) => list != CustomerList.AtRisk ? "" :
        $" AND last_order_at >= {sql.Add(WinBackRules.InactiveBefore(scope))}" +
        (fromPredictions ? $" AND {ScoredLastOrderAt} >= {sql.Add(WinBackRules.InactiveBefore(scope))}" : "") + AtRiskRuleSql(scope, sql);

    /// <summary><see cref="AtRiskRule"/> on the scores of a recent buyer: overdue, below the P(alive) line, or in a slipping RFM group.</summary>
    private static string AtRiskRuleSql(ReportScope scope, SqlText sql) =>
        $" AND (overdue_on <= {sql.Add(scope.Calendar.Today)} OR probability_alive < {sql.Add(AtRiskRule.AliveLine)}" +
        $" OR rfm_segment = ANY({sql.Add(AtRiskRule.SlippingGroups.Select(g => (short)g).ToArray())}))";

    /// <summary>
    /// How a list is ordered: the sort value, its type (for the cursor), the tie-breaking id, the rows it reads from,
    /// whether the merchant's "descending" walks the value upwards, and whether a page finds its list's rows before
    /// sorting them (<see cref="Predicted"/>) instead of walking an index in the sort's order.
    /// </summary>
    private sealed record ListOrder(string Expression, NpgsqlDbType Type, string Id = "id", string From = From, bool Reversed = false, bool SortsFoundRows = false);

    private static ListOrder SortColumn(ReportScope scope, InactiveCustomersFilter filter, SqlText sql) => filter.Sort switch
    {
        CustomerSort.LastOrder => ReadsScoresAlone(scope, filter)
            ? new(ScoredLastOrderAt, NpgsqlDbType.TimestampTz, "p.customer_id", FromScoresAlone)
            : new("last_order_at", NpgsqlDbType.TimestampTz),
        CustomerSort.Name => new("lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))", NpgsqlDbType.Text),
        CustomerSort.Email => new("lower(coalesce(email, ''))", NpgsqlDbType.Text),
        CustomerSort.TotalSpent => new("total_spent", NpgsqlDbType.Numeric),
        CustomerSort.OrdersCount => new("orders_count", NpgsqlDbType.Integer),
        CustomerSort.SignedUp => new("created_at", NpgsqlDbType.TimestampTz),
        // Unknown predictions sort after every known one in the default direction. The expressions are those of the
        // PredictionIndexesShopLast migration's indexes, word for word.
        CustomerSort.ProbabilityAlive => Predicted(scope, filter, "coalesce(probability_alive, 2)", NpgsqlDbType.Double),
        // Most overdue first is the earliest day of becoming overdue: fixed between orders, unlike the factor shown.
        CustomerSort.Overdue => Predicted(scope, filter, "coalesce(overdue_on, 'infinity')", NpgsqlDbType.Date) with { Reversed = true },
        CustomerSort.PredictedValue => Predicted(scope, filter, "coalesce(predicted_value, -1)", NpgsqlDbType.Numeric),
        _ => new(SegmentPriority(scope, sql), NpgsqlDbType.Integer),
    };

    private static (string HighValue, string LongInactive) SegmentTerms(ReportScope scope, SqlText sql) =>
        (WinBackRules.HighValueSql(sql.Add(scope.HighValueLine)), WinBackRules.InactiveSinceSql(sql.Add(WinBackRules.LongInactiveBefore(scope))));

    private static string SegmentPriority(ReportScope scope, SqlText sql)
    {
        var (highValue, longInactive) = SegmentTerms(scope, sql);
        return WinBackRules.PrioritySql(highValue, longInactive);
    }

    /// <summary>
    /// A prediction sort walks the scores' index (from the scores alone where <see cref="ScoresSuffice"/>, else joining each
    /// row's customer for the conditions), except on the at-risk list: its customers are recent buyers, found and then
    /// sorted. Walking the sort's index instead (which PostgreSQL chooses when it can, the order being the index's) passes
    /// every lapsed customer first: 0.44 s a page at 200,000 customers. Found from the customers' inactive index, each
    /// recent buyer's scores were read to check the rule: 0.76 s a page at 1,000,000; from the scores' index by last order
    /// (<c>ix_customer_predictions_last_order</c>), which carries the rule's columns, 6,000 at-risk customers of 120,000
    /// recent buyers are found in the index alone.
    /// </summary>
    private static ListOrder Predicted(ReportScope scope, InactiveCustomersFilter filter, string expression, NpgsqlDbType type)
    {
        var atRisk = filter.List == CustomerList.AtRisk;
        if (!scope.HasPredictions) return new(expression, type, SortsFoundRows: atRisk);
        return new(expression, type, "p.customer_id", ScoresSuffice(scope, filter) ? FromScoresAlone : FromPredictions, SortsFoundRows: atRisk);
    }

    private async IAsyncEnumerable<(CustomerRecord Row, object? SortValue)> ReadAsync(SqlText sql, Func<DateTimeOffset, DateOnly> localDate, bool withSortValue,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(sql, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new CustomerRecord(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : localDate(reader.GetFieldValue<DateTimeOffset>(5)),
                reader.GetInt32(6),
                reader.GetDecimal(7),
                localDate(reader.GetFieldValue<DateTimeOffset>(8)),
                new Predicted(
                    reader.IsDBNull(9) ? null : reader.GetDouble(9),
                    reader.IsDBNull(10) ? null : reader.GetDouble(10),
                    reader.IsDBNull(11) ? null : reader.GetFieldValue<DateOnly>(11),
                    reader.IsDBNull(12) ? null : reader.GetFieldValue<DateOnly>(12),
                    reader.IsDBNull(13) ? null : reader.GetDecimal(13),
                    reader.IsDBNull(14) ? null : reader.GetInt16(14),
                    reader.IsDBNull(15) ? null : (RfmSegment)reader.GetInt16(15)));
            yield return (row, withSortValue ? reader.GetValue(16) : null);
        }
    }

    private async Task<NpgsqlCommand> CommandAsync(SqlText sql, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var command = new NpgsqlCommand(sql.Text, (NpgsqlConnection)db.Database.GetDbConnection());
        command.Parameters.AddRange(sql.Parameters.ToArray());
        return command;
    }

    private static string EncodeCursor(CustomerSort sort, object value, long id)
    {
        var text = value switch
        {
            DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).UtcTicks.ToString(CultureInfo.InvariantCulture),
            DateTimeOffset instant => instant.UtcTicks.ToString(CultureInfo.InvariantCulture),
            DateOnly day => day.ToDateTime(TimeOnly.MinValue).Ticks.ToString(CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString()!,
        };
        var raw = $"{sort}\n{id.ToString(CultureInfo.InvariantCulture)}\n{text}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (object Value, long Id) DecodeCursor(string cursor, CustomerSort sort, NpgsqlDbType type)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='))).Split('\n', 3);
            if (parts.Length != 3 || parts[0] != sort.ToString()) throw new InvalidCursorException();
            var id = long.Parse(parts[1], CultureInfo.InvariantCulture);
            object value = type switch
            {
                NpgsqlDbType.TimestampTz => new DateTimeOffset(long.Parse(parts[2], CultureInfo.InvariantCulture), TimeSpan.Zero),
                NpgsqlDbType.Numeric => decimal.Parse(parts[2], CultureInfo.InvariantCulture),
                NpgsqlDbType.Integer => int.Parse(parts[2], CultureInfo.InvariantCulture),
                NpgsqlDbType.Double => double.Parse(parts[2], CultureInfo.InvariantCulture),
                NpgsqlDbType.Date => DateOnly.FromDateTime(new DateTime(long.Parse(parts[2], CultureInfo.InvariantCulture))),
                _ => parts[2],
            };
            return (value, id);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidCursorException();
        }
    }

    /// <summary>SQL text with positional parameters, so every value the merchant typed travels as a parameter.</summary>
    private sealed class SqlText(ReportScope scope)
    {
        private readonly StringBuilder _text = new();
        public List<NpgsqlParameter> Parameters { get; } = [];

        /// <summary>The statement, its scores named for the scope's shop (<see cref="Scores"/>).</summary>
        public string Text => _text.ToString().Replace(Scores, scope.HasPredictions ? CustomerPredictionPartitions.NameOf(scope.ShopId) : CustomerPredictionPartitions.ScoresOf(scope.ShopId), StringComparison.Ordinal);

        public void Append(string text) => _text.Append(text);

        public string Add(object value, NpgsqlDbType? type = null)
        {
            var parameter = type is { } t ? new NpgsqlParameter { Value = value, NpgsqlDbType = t } : new NpgsqlParameter { Value = value };
            Parameters.Add(parameter);
            return "$" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
    }
}
