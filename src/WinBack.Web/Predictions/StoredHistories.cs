using System.Buffers;
using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using WinBack.Web.Data;

namespace WinBack.Web.Predictions;

/// <summary>What a shop's last refit read, as kept for the next one (<see cref="StoredHistories"/>).</summary>
/// <param name="Erasures">How many erasures of the shop's customers there have been: a refit keeps what it read only if none came since it began.</param>
/// <param name="ReadSnapshot">The snapshot taken before that read (<c>pg_current_snapshot()</c>); null when nothing is kept.</param>
/// <param name="TimeZone">The shop's time zone its order days were folded in.</param>
/// <param name="FoldedOn">The day every order was last read: the kept histories serve for 28 days from it, then every order is read again.</param>
public sealed record StoredHistoriesState(int Erasures, string? ReadSnapshot, string? TimeZone, DateOnly? FoldedOn);

/// <summary>
/// Each customer's folded orders as a refit read them, kept so that the next week's refit reads from the orders only the
/// customers whose rollups changed since, and passes over those deleted since (<see cref="CustomerChanges"/>, which the
/// swap's catch-up reads too), not five million orders again. They are kept in blocks of a few thousand customers, in a binary form of our own
/// (<see cref="Format"/>), in <c>customer_history_blocks</c>; <c>customer_history_snapshots</c> says what they are.
/// </summary>
/// <remarks>
/// <para>They are a copy of the shop's orders by customer, so erasing customers drops them (<see cref="DropOnErasureSql"/>,
/// in the erasure's transaction) and counts the erasure; a refit writes what it read only if no erasure was counted since
/// it began (<see cref="WriteAsync"/>), so no erased customer's orders are kept.</para>
/// <para>A change that leaves a customer's rollups as they were (an order of the middle of a history moved to another
/// day, say) is not marked. The refit reads every order again 28 days after it last did, when the shop's time zone has
/// changed, when more than a quarter of the customers changed, and after an erasure.</para>
/// </remarks>
public static class StoredHistories
{
    /// <summary>The version of the blocks' binary form; blocks of another are not read.</summary>
    public const int Format = 1;

    /// <summary>Customers a block holds: about a third of a megabyte.</summary>
    private const int BlockSize = 8192;

    /// <summary>
    /// Run by an erasure of the shop's customers (SQL with the shop's id as {0}), in its transaction: the kept histories
    /// go, and the erasure is counted, so a refit that read before it does not write its copy after.
    /// </summary>
    public const string DropOnErasureSql = """
        INSERT INTO customer_history_snapshots (shop_id, erasures) VALUES ({0}, 1)
        ON CONFLICT (shop_id) DO UPDATE SET erasures = customer_history_snapshots.erasures + 1, format = NULL, read_snapshot = NULL, time_zone = NULL, folded_on = NULL;
        DELETE FROM customer_history_blocks WHERE shop_id = {0};
        """;

    /// <summary>What is kept for the shop: no histories (and no erasure counted) when it has never been written.</summary>
    public static async Task<StoredHistoriesState> StateAsync(WinBackDbContext db, long shopId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<StateRow>($"""
            SELECT erasures, format, read_snapshot, time_zone, folded_on FROM customer_history_snapshots WHERE shop_id = {shopId}
            """).ToListAsync(cancellationToken);
        return rows is [var row]
            ? new StoredHistoriesState(row.Erasures, row.Format == Format ? row.ReadSnapshot : null, row.TimeZone, row.FoldedOn)
            : new StoredHistoriesState(0, null, null, null);
    }

    private sealed record StateRow(int Erasures, int? Format, string? ReadSnapshot, string? TimeZone, DateOnly? FoldedOn);

    /// <summary>
    /// Keeps <paramref name="histories"/> (with each one's order days, in the same order) in place of the shop's kept ones,
    /// unless an erasure was counted since <paramref name="erasures"/> was read (the refit's read may hold an erased
    /// customer's orders). Returns whether they were kept.
    /// </summary>
    public static async Task<bool> WriteAsync(NpgsqlConnection connection, long shopId, StoredHistoriesState before, string readSnapshot, string timeZone,
        DateOnly foldedOn, IReadOnlyList<CustomerHistory> histories, IReadOnlyList<DateOnly[]> days, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The shop's row, locked: an erasure counts itself on it, so it either came before (and is seen here) or waits for this commit.
        await ExecuteAsync(connection, "INSERT INTO customer_history_snapshots (shop_id) VALUES ($1) ON CONFLICT (shop_id) DO NOTHING", cancellationToken, shopId);
        await using (var locking = new NpgsqlCommand("SELECT erasures FROM customer_history_snapshots WHERE shop_id = $1 FOR UPDATE", connection)
                     { Parameters = { new() { Value = shopId } } })
        {
            // No row: the shop was deleted meanwhile (its row went with it).
            if (await locking.ExecuteScalarAsync(cancellationToken) is not int erasures || erasures != before.Erasures) return false;
        }
        await ExecuteAsync(connection, "DELETE FROM customer_history_blocks WHERE shop_id = $1", cancellationToken, shopId);
        await using (var import = await connection.BeginBinaryImportAsync("COPY customer_history_blocks (shop_id, block, data) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var block = new ArrayBufferWriter<byte>();
            for (var (start, number) = (0, 0); start < histories.Count; start += BlockSize, number++)
            {
                block.ResetWrittenCount();
                Encode(block, histories, days, start, Math.Min(BlockSize, histories.Count - start));
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(shopId, NpgsqlDbType.Bigint, cancellationToken);
                await import.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(block.WrittenMemory, NpgsqlDbType.Bytea, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await ExecuteAsync(connection, "UPDATE customer_history_snapshots SET format = $2, read_snapshot = $3, time_zone = $4, folded_on = $5 WHERE shop_id = $1",
            cancellationToken, shopId, Format, readSnapshot, timeZone, foldedOn);
        // The next refit asks for customers deleted since this snapshot: those deleted before it are already not in these histories.
        await CustomerChanges.ForgetDeletionsShownByAsync(connection, shopId, readSnapshot, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>At most how many customers the shop's kept blocks hold (each holds <see cref="BlockSize"/> but the last).</summary>
    public static async Task<int> MostCustomersAsync(NpgsqlConnection connection, long shopId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM customer_history_blocks WHERE shop_id = $1", connection)
            { Parameters = { new() { Value = shopId } } };
        return (int)(await command.ExecuteScalarAsync(cancellationToken))! * BlockSize;
    }

    /// <summary>
    /// The kept customers, in the order they were written (by id), each with the order days and folded figures the refit
    /// read; none when what is kept is no longer what was read in <paramref name="readSnapshot"/> (an erasure dropped it since).
    /// </summary>
    /// <exception cref="InvalidDataException">A block is not in <see cref="Format"/>.</exception>
    public static async IAsyncEnumerable<StoredHistory> ReadAsync(NpgsqlConnection connection, long shopId, string readSnapshot, int commandTimeoutSeconds,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT data FROM customer_history_blocks
            WHERE shop_id = $1 AND EXISTS (SELECT 1 FROM customer_history_snapshots WHERE shop_id = $1 AND read_snapshot = $2)
            ORDER BY block
            """, connection)
        {
            Parameters = { new() { Value = shopId }, new() { Value = readSnapshot } },
            CommandTimeout = commandTimeoutSeconds,
        };
        // Each block is read into one buffer, reused, and decoded from there.
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        var buffer = Array.Empty<byte>();
        var customers = new List<StoredHistory>(BlockSize);
        while (await reader.ReadAsync(cancellationToken))
        {
            var length = (int)reader.GetBytes(0, 0, null, 0, 0);
            if (buffer.Length < length) buffer = new byte[length];
            await using (var data = await reader.GetStreamAsync(0, cancellationToken))
                await data.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            customers.Clear();
            try
            {
                Decode(buffer.AsSpan(0, length), customers);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"A kept block of shop {shopId}'s histories cannot be read.", e);
            }
            foreach (var customer in customers) yield return customer;
        }
    }

    /// <summary>
    /// One kept customer: what <see cref="CustomerHistories"/> folds from the orders, less what depends on the day it is
    /// read (the customer's age).
    /// </summary>
    public readonly record struct StoredHistory(long CustomerId, DateOnly[] Days, double RepeatAverage, double? UsualIntervalDays, DateTimeOffset LastOrderAt, int Orders, decimal TotalSpent);

    /// <summary>
    /// A block's customers: their count, then for each, in id order, the id (as the step from the one before), orders,
    /// the last order's UTC ticks, the total spent, the mean repeat value and the usual interval (NaN: none), and the order
    /// days (their count, the first day's number, then each day as the step from the one before). Whole numbers are
    /// written in 7-bit groups (most are small), the rest as they are in memory.
    /// </summary>
    private static void Encode(ArrayBufferWriter<byte> to, IReadOnlyList<CustomerHistory> histories, IReadOnlyList<DateOnly[]> days, int start, int count)
    {
        WriteWhole(to, (ulong)count);
        long previousId = 0;
        Span<int> bits = stackalloc int[4];
        for (var i = start; i < start + count; i++)
        {
            var h = histories[i];
            WriteWhole(to, (ulong)(h.CustomerId - previousId));
            previousId = h.CustomerId;
            WriteWhole(to, (ulong)h.Orders);
            var fixedPart = to.GetSpan(3 * sizeof(long));
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, h.LastOrderAt.UtcTicks);
            BinaryPrimitives.WriteDoubleLittleEndian(fixedPart[8..], h.Buyer.AverageRepeatValue);
            BinaryPrimitives.WriteDoubleLittleEndian(fixedPart[16..], h.UsualIntervalDays ?? double.NaN);
            to.Advance(3 * sizeof(long));
            // The total as decimal keeps it: 96 bits of whole number and a scale; a shop's totals need the low 64.
            decimal.GetBits(h.TotalSpent, bits);
            WriteWhole(to, (ulong)(uint)bits[3]);
            WriteWhole(to, (uint)bits[2]);
            WriteWhole(to, (ulong)(uint)bits[1] << 32 | (uint)bits[0]);
            var customerDays = days[i];
            WriteWhole(to, (ulong)customerDays.Length);
            var previousDay = 0;
            foreach (var day in customerDays)
            {
                WriteWhole(to, (ulong)(day.DayNumber - previousDay));
                previousDay = day.DayNumber;
            }
        }
    }

    private static void Decode(ReadOnlySpan<byte> block, List<StoredHistory> into)
    {
        var at = 0;
        var count = (int)ReadWhole(block, ref at);
        long id = 0;
        Span<int> bits = stackalloc int[4];
        for (var i = 0; i < count; i++)
        {
            id += (long)ReadWhole(block, ref at);
            var orders = (int)ReadWhole(block, ref at);
            var lastOrderAt = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(block[at..]), TimeSpan.Zero);
            var repeatAverage = BinaryPrimitives.ReadDoubleLittleEndian(block[(at + 8)..]);
            var usualInterval = BinaryPrimitives.ReadDoubleLittleEndian(block[(at + 16)..]);
            at += 3 * sizeof(long);
            bits[3] = (int)(uint)ReadWhole(block, ref at);
            bits[2] = (int)(uint)ReadWhole(block, ref at);
            var low = ReadWhole(block, ref at);
            (bits[0], bits[1]) = ((int)(uint)low, (int)(uint)(low >> 32));
            var days = new DateOnly[(int)ReadWhole(block, ref at)];
            var day = 0;
            for (var k = 0; k < days.Length; k++) days[k] = DateOnly.FromDayNumber(day += (int)ReadWhole(block, ref at));
            into.Add(new StoredHistory(id, days, repeatAverage, double.IsNaN(usualInterval) ? null : usualInterval, lastOrderAt, orders, new decimal(bits)));
        }
    }

    private static void WriteWhole(ArrayBufferWriter<byte> to, ulong value)
    {
        var span = to.GetSpan(10);
        var n = 0;
        for (; value >= 0x80; value >>= 7) span[n++] = (byte)(value | 0x80);
        span[n++] = (byte)value;
        to.Advance(n);
    }

    private static ulong ReadWhole(ReadOnlySpan<byte> from, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = from[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
