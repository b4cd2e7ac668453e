using Microsoft.EntityFrameworkCore;
using Npgsql;
using WinBack.Analytics;
using WinBack.Web.Data;
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
/// The refit reads a whole shop in one pass; a webhook's rescoring reads only the customers it touched.
/// </summary>
public sealed class CustomerHistories(WinBackDbContext db)
{
    public const double DaysPerWeek = 7;

    /// <param name="customerIds">Only these customers; null for every customer of the shop with a qualifying order.</param>
    /// <param name="purchaseDays">When given, receives each customer's order days, in the order of the histories (the holdout check reads them).</param>
    public async Task<List<CustomerHistory>> ReadAsync(long shopId, string zone, DateOnly today, IReadOnlyCollection<long>? customerIds,
        CancellationToken cancellationToken, int commandTimeoutSeconds = 30, List<DateOnly[]>? purchaseDays = null)
    {
        // Sized once: a list of a million customers that doubles as it grows would hold twice that at its peak.
        var expected = customerIds?.Count ?? await db.Customers.CountAsync(c => c.ShopId == shopId && c.OrdersCount > 0, cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT o.customer_id, (o.processed_at AT TIME ZONE $2)::date AS day, count(*)::int, sum(o.current_total), max(o.processed_at)
            FROM orders o JOIN customers c ON c.shop_id = o.shop_id AND c.id = o.customer_id
            WHERE o.shop_id = $1 AND {QualifyingOrders.Sql}
              {(customerIds is null ? "" : "AND o.customer_id = ANY($3)")}
            GROUP BY 1, 2 ORDER BY 1, 2
            """, (NpgsqlConnection)db.Database.GetDbConnection())
        {
            Parameters = { new() { Value = shopId }, new() { Value = zone } },
            CommandTimeout = commandTimeoutSeconds,
        };
        if (customerIds is not null) command.Parameters.Add(new() { Value = customerIds.ToArray() });
        if (command.Connection!.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var histories = new List<CustomerHistory>(expected);
        var days = new List<DateOnly>();
        var dayTotals = new List<decimal>();
        long current = 0;
        var orders = 0;
        var lastOrderAt = DateTimeOffset.MinValue;
        void Fold()
        {
            if (days.Count == 0) return;
            var first = days[0];
            var last = days[^1];
            var repeatDays = days.Count - 1;
            var repeatAverage = repeatDays > 0 ? (double)dayTotals.Skip(1).Sum() / repeatDays : 0;
            var buyer = new RepeatBuyer(repeatDays, (last.DayNumber - first.DayNumber) / DaysPerWeek,
                Math.Max(0, today.DayNumber - first.DayNumber) / DaysPerWeek, Math.Max(0, repeatAverage));
            histories.Add(new CustomerHistory(current, buyer, PurchaseCycle.UsualIntervalDays(days), last, lastOrderAt, orders, dayTotals.Sum()));
            purchaseDays?.Add([.. days]);
            days.Clear();
            dayTotals.Clear();
            orders = 0;
        }
        while (await reader.ReadAsync(cancellationToken))
        {
            var customerId = reader.GetInt64(0);
            if (customerId != current) Fold();
            current = customerId;
            days.Add(reader.GetFieldValue<DateOnly>(1));
            orders += reader.GetInt32(2);
            dayTotals.Add(reader.GetDecimal(3));
            lastOrderAt = reader.GetFieldValue<DateTimeOffset>(4);
        }
        Fold();
        return histories;
    }
}
