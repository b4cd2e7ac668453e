using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Analytics;
using WinBack.Web.Data;
using WinBack.Web.Reports;
using WinBack.Web.Sync;

namespace WinBack.Web.Predictions;

/// <summary>
/// One customer's qualifying orders, folded: what the models and RFM read. <see cref="LastOrderAt"/> is the customer's
/// <c>last_order_at</c> rollup (the latest qualifying order), <see cref="LastOrderOn"/> its date in the shop's calendar.
/// </summary>
public readonly record struct CustomerHistory(long CustomerId, RepeatBuyer Buyer, double? UsualIntervalDays, DateOnly LastOrderOn, DateTimeOffset LastOrderAt, int Orders, decimal TotalSpent)
{
    /// <summary>What RFM reads of the customer on <paramref name="day"/>: days since the last order, orders, total spent.</summary>
    public RfmInput RfmOn(DateOnly day) => new(CustomerId, day.DayNumber - LastOrderOn.DayNumber, Orders, TotalSpent);
}

/// <summary>
/// Reads customers' qualifying orders folded by order day in the shop's calendar (the models count purchase days, as
/// the CDNOW data do): x = order days − 1, t_x and T in weeks from the first order day, mean value of the repeat days.
/// The customers read are those whose row says they have a qualifying order (<c>orders_count &gt; 0</c>, the rule the
/// scores' other writers keep). The refit reads a whole shop in one pass; a webhook's rescoring reads only the customers
/// it touched.
/// </summary>
public sealed class CustomerHistories(WinBackDbContext db)
{
    public const double DaysPerWeek = 7;

    /// <param name="calendar">The shop's calendar: its today and the zone its order days are in.</param>
    /// <param name="customerIds">Only these customers; null for every customer of the shop with a qualifying order.</param>
    /// <param name="purchaseDays">When given, receives each customer's order days, in the order of the histories (the holdout check reads them).</param>
    public async Task<List<CustomerHistory>> ReadAsync(long shopId, ShopCalendar calendar, IReadOnlyCollection<long>? customerIds,
        CancellationToken cancellationToken, int commandTimeoutSeconds = 30, List<DateOnly[]>? purchaseDays = null)
    {
        var connection = await OpenAsync(cancellationToken);
        var customers = await CustomersWithOrdersAsync(connection, shopId, customerIds, commandTimeoutSeconds, cancellationToken);
        return await FoldOrdersAsync(connection, shopId, calendar, customers, wholeShop: customerIds is null, commandTimeoutSeconds, purchaseDays, cancellationToken);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        return connection;
    }

    /// <summary>The orders of <paramref name="customers"/> (sorted ids; every customer of the shop with one when <paramref name="wholeShop"/>), folded.</summary>
    private static async Task<List<CustomerHistory>> FoldOrdersAsync(NpgsqlConnection connection, long shopId, ShopCalendar calendar, long[] customers, bool wholeShop,
        int commandTimeoutSeconds, List<DateOnly[]>? purchaseDays, CancellationToken cancellationToken)
    {
        var today = calendar.Today;
        // Sized once: a list of a million customers that doubles as it grows would hold twice that at its peak.
        var histories = new List<CustomerHistory>(customers.Length);
        if (customers.Length == 0) return histories;
        // A whole shop's orders find their day among precomputed day starts; a rescoring's few are converted one by one.
        Func<DateTimeOffset, DateOnly> localDate = wholeShop
            ? calendar.RecentLocalDays().DateOf
            : calendar.LocalDate;
        // The orders come as the index keeps them, by customer and time, with no join, sort or grouping in the database
        // (which took as long again as the reading): each is folded into its local day here (in PostgreSQL the conversion
        // took 1.1 s of the read's 2.9 s at 900,000 customers), and orders of a customer whose row counts none are passed over.
        await using var command = new NpgsqlCommand($"""
            SELECT customer_id, current_total, processed_at
            FROM orders
            WHERE shop_id = $1 AND {QualifyingOrders.Sql}
              {(wholeShop ? "" : "AND customer_id = ANY($2)")}
            ORDER BY customer_id, processed_at
            """, connection)
        {
            Parameters = { new() { Value = shopId } },
            CommandTimeout = commandTimeoutSeconds,
        };
        if (!wholeShop) command.Parameters.Add(new() { Value = customers });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var customer = new CustomerOrderDays();
        var next = 0;
        void Fold()
        {
            if (customer.Folded(today) is not { } history) return;
            histories.Add(history);
            purchaseDays?.Add(customer.DaysArray());
        }
        while (await reader.ReadAsync(cancellationToken))
        {
            var customerId = reader.GetInt64(0);
            if (customerId != customer.Id)
            {
                Fold();
                while (next < customers.Length && customers[next] < customerId) next++;
                customer.Start(customerId, kept: next < customers.Length && customers[next] == customerId);
            }
            var at = reader.GetFieldValue<DateTimeOffset>(2);
            customer.Add(localDate(at), reader.GetDecimal(1), at);
        }
        Fold();
        return histories;
    }

    /// <summary>
    /// The whole shop, as <see cref="ReadAsync"/> reads it, with the customers whose rollups no transaction changed since
    /// <paramref name="kept"/>'s snapshot taken as the last refit folded them (<see cref="StoredHistories"/>), those deleted
    /// since passed over, and only the others read from their orders: the customers changed since, with a qualifying order
    /// (<see cref="CustomerChanges"/>). No pass over every customer: a week's changes are a few percent of them. Null, with
    /// <paramref name="purchaseDays"/> left empty, when more than a quarter of the customers are to be read from their
    /// orders (reading every order is then the quicker way), or when the database's transaction ids are behind the
    /// snapshot's (a restored copy of the database: its new changes could look older than the snapshot).
    /// </summary>
    /// <exception cref="InvalidDataException">A kept block cannot be read.</exception>
    public async Task<KeptRead?> ReadSinceAsync(long shopId, ShopCalendar calendar, StoredHistoriesState kept, CancellationToken cancellationToken,
        int commandTimeoutSeconds, List<DateOnly[]> purchaseDays)
    {
        var today = calendar.Today;
        var connection = await OpenAsync(cancellationToken);
        var snapshot = kept.ReadSnapshot ?? throw new ArgumentException("Nothing is kept to read from.", nameof(kept));
        await using (var ordered = new NpgsqlCommand("SELECT pg_snapshot_xmin($1::pg_snapshot) <= pg_snapshot_xmax(pg_current_snapshot())", connection)
                     { Parameters = { new() { Value = snapshot } } })
        {
            if (!(bool)(await ordered.ExecuteScalarAsync(cancellationToken))!) return null;
        }
        // What changes after the refit's own snapshot (taken before this read) is caught up with at the swap, and compared
        // again by next week's refit (this read is kept with that snapshot): a customer deleted between these statements
        // may be read or passed over here, and is passed over in the end.
        var changed = await CustomerChanges.ChangedSinceAsync(connection, shopId, snapshot, commandTimeoutSeconds, cancellationToken);
        var deleted = await CustomerChanges.DeletedSinceAsync(connection, shopId, snapshot, commandTimeoutSeconds, cancellationToken);

        // The kept customers and the changed ones both come in id order: each customer gets the kept history, or a place held
        // for a read from the orders, or none (deleted, or left without a qualifying order). Sized once (see FoldOrdersAsync).
        var histories = new List<CustomerHistory>(await StoredHistories.MostCustomersAsync(connection, shopId, cancellationToken) + changed.Count);
        List<(int At, long Id)> toRead = [];
        var nextChanged = 0;
        void ReadFromOrders(CustomerChanges.Changed customer)
        {
            if (!customer.HasOrders) return;
            toRead.Add((histories.Count, customer.CustomerId));
            histories.Add(default);
            purchaseDays.Add([]);
        }
        var keptCustomers = 0;
        await foreach (var s in StoredHistories.ReadAsync(connection, shopId, snapshot, commandTimeoutSeconds, cancellationToken))
        {
            keptCustomers++;
            while (nextChanged < changed.Count && changed[nextChanged].CustomerId < s.CustomerId) ReadFromOrders(changed[nextChanged++]);
            if (nextChanged < changed.Count && changed[nextChanged].CustomerId == s.CustomerId) ReadFromOrders(changed[nextChanged++]);
            else if (!deleted.Contains(s.CustomerId))
            {
                histories.Add(HistoryOf(s.CustomerId, s.Days, s.RepeatAverage, s.UsualIntervalDays, s.LastOrderAt, s.Orders, s.TotalSpent, today));
                purchaseDays.Add(s.Days);
            }
        }
        while (nextChanged < changed.Count) ReadFromOrders(changed[nextChanged++]);
        // No kept customer: an erasure dropped the copy after the refit looked (or it held none), so every order is read.
        if (keptCustomers == 0 || toRead.Count > histories.Count / 4)
        {
            purchaseDays.Clear();
            return null;
        }

        // The held places are filled from the orders; a customer whose orders fold to nothing (their row counts an order
        // the orders no longer show) loses theirs, as a whole read passes them over.
        var readDays = new List<DateOnly[]>(toRead.Count);
        var read = toRead.Count == 0
            ? []
            : await FoldOrdersAsync(connection, shopId, calendar, [.. toRead.Select(r => r.Id)], wholeShop: false, commandTimeoutSeconds, readDays, cancellationToken);
        var next = 0;
        var passedOver = new HashSet<int>();
        foreach (var (at, id) in toRead)
        {
            if (next < read.Count && read[next].CustomerId == id)
            {
                (histories[at], purchaseDays[at]) = (read[next], readDays[next]);
                next++;
            }
            else passedOver.Add(at);
        }
        if (passedOver.Count > 0)
        {
            var remaining = 0;
            for (var i = 0; i < histories.Count; i++)
            {
                if (passedOver.Contains(i)) continue;
                (histories[remaining], purchaseDays[remaining]) = (histories[i], purchaseDays[i]);
                remaining++;
            }
            histories.RemoveRange(remaining, histories.Count - remaining);
            purchaseDays.RemoveRange(remaining, purchaseDays.Count - remaining);
        }
        return new KeptRead(histories, toRead.Count);
    }

    /// <summary>What <see cref="ReadSinceAsync"/> read: every customer's history, <see cref="FromOrders"/> of them read from their orders.</summary>
    public sealed record KeptRead(List<CustomerHistory> Histories, int FromOrders);

    /// <summary>
    /// A customer's history from their order days (in order, each counted once) and what their orders came to: x = days − 1,
    /// t_x and T in weeks from the first day, T to <paramref name="today"/>.
    /// </summary>
    private static CustomerHistory HistoryOf(long customerId, IReadOnlyList<DateOnly> days, double repeatAverage, double? usualIntervalDays,
        DateTimeOffset lastOrderAt, int orders, decimal totalSpent, DateOnly today)
    {
        var (first, last) = (days[0], days[^1]);
        var buyer = new RepeatBuyer(days.Count - 1, (last.DayNumber - first.DayNumber) / DaysPerWeek,
            Math.Max(0, today.DayNumber - first.DayNumber) / DaysPerWeek, repeatAverage);
        return new CustomerHistory(customerId, buyer, usualIntervalDays, last, lastOrderAt, orders, totalSpent);
    }

    /// <summary>
    /// The shop's customers (or those of <paramref name="customerIds"/>) whose row counts a qualifying order, in id order:
    /// sorted here, so that PostgreSQL can read them from an index of those customers alone (an index-only scan of one of
    /// the report's partial indexes) instead of visiting every customer's row along the key (0.27 s against 0.5 s at
    /// 900,000 customers).
    /// </summary>
    private static async Task<long[]> CustomersWithOrdersAsync(NpgsqlConnection connection, long shopId, IReadOnlyCollection<long>? customerIds,
        int commandTimeoutSeconds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT id FROM customers WHERE shop_id = $1 AND orders_count > 0 {(customerIds is null ? "" : "AND id = ANY($2)")}
            """, connection)
        {
            Parameters = { new() { Value = shopId } },
            CommandTimeout = commandTimeoutSeconds,
        };
        if (customerIds is not null) command.Parameters.Add(new() { Value = customerIds.ToArray() });
        var ids = new List<long>(customerIds?.Count ?? 0);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetInt64(0));
        long[] sorted = [.. ids];
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>One customer's orders as they are read, folded into order days: reused from customer to customer.</summary>
    private sealed class CustomerOrderDays
    {
        private readonly List<DateOnly> _days = [];
        private readonly List<decimal> _dayTotals = [];
        private int _orders;
        private DateTimeOffset _lastOrderAt;
        private bool _kept;

        /// <summary>The customer whose orders are being read; null before the first.</summary>
        public long? Id { get; private set; }

        /// <summary>Starts the next customer; with <paramref name="kept"/> false their orders are passed over.</summary>
        public void Start(long id, bool kept)
        {
            (Id, _kept, _orders) = (id, kept, 0);
            _days.Clear();
            _dayTotals.Clear();
        }

        public void Add(DateOnly day, decimal total, DateTimeOffset at)
        {
            if (!_kept) return;
            if (_orders++ == 0 || at > _lastOrderAt) _lastOrderAt = at;
            // In time order a day is the last one or a later one; only a clock put back across midnight gives an earlier one.
            var index = _days.Count == 0 || _days[^1] < day ? _days.Count : _days.BinarySearch(day);
            if (index >= 0 && index < _days.Count)
            {
                _dayTotals[index] += total;
                return;
            }
            index = index < 0 ? ~index : index;
            _days.Insert(index, day);
            _dayTotals.Insert(index, total);
        }

        public DateOnly[] DaysArray() => [.. _days];

        /// <summary>The history of the customer folded so far, or null for one passed over (or none yet).</summary>
        public CustomerHistory? Folded(DateOnly today)
        {
            if (!_kept || _days.Count == 0) return null;
            var repeatDays = _days.Count - 1;
            decimal repeatTotal = 0;
            for (var k = 1; k < _dayTotals.Count; k++) repeatTotal += _dayTotals[k];
            var repeatAverage = repeatDays > 0 ? (double)repeatTotal / repeatDays : 0;
            return HistoryOf(Id!.Value, _days, Math.Max(0, repeatAverage), PurchaseCycle.UsualIntervalDays(_days), _lastOrderAt, _orders, repeatTotal + _dayTotals[0], today);
        }
    }
}
