using Npgsql;

namespace WinBack.Web.Predictions;

/// <summary>
/// What changed among a shop's customers since a database snapshot (<c>pg_current_snapshot()</c> as text), read without
/// visiting every customer: the customers whose rollups a transaction the snapshot does not show changed (each change of
/// rollups marks its transaction in <c>customers.rollups_changed_xid</c>, which an index keeps in order), and the customers
/// deleted since (a trigger logs each deletion and its transaction in <c>customer_deletions</c>). A refit's catch-up reads
/// both for what changed while it computed; the next refit reads both for what changed since the histories it kept.
/// </summary>
public static class CustomerChanges
{
    /// <summary>The customers changed since the snapshot <c>$2</c> in the shop <c>$1</c>: their ids and whether they have an order.</summary>
    internal const string ChangedSinceSql = """
        SELECT id, orders_count > 0 FROM customers
        WHERE shop_id = $1 AND rollups_changed_xid >= pg_snapshot_xmin($2::pg_snapshot)
          AND NOT pg_visible_in_snapshot(rollups_changed_xid, $2::pg_snapshot)
        """;

    /// <summary>The customers deleted since the snapshot <c>$2</c> in the shop <c>$1</c>.</summary>
    private const string DeletedSinceSql = """
        SELECT customer_id FROM customer_deletions
        WHERE shop_id = $1 AND deleted_xid >= pg_snapshot_xmin($2::pg_snapshot) AND NOT pg_visible_in_snapshot(deleted_xid, $2::pg_snapshot)
        """;

    /// <summary>A customer whose rollups changed, and whether their row now counts a qualifying order.</summary>
    public readonly record struct Changed(long CustomerId, bool HasOrders);

    /// <summary>
    /// The customers whose rollups a transaction <paramref name="snapshot"/> does not show changed, in id order (sorted here:
    /// asked for in order, PostgreSQL could walk the shop's key instead of the index of marks). Every such transaction is at
    /// or after the snapshot's oldest one still running (<c>pg_snapshot_xmin</c>): the index is read from there.
    /// </summary>
    public static async Task<List<Changed>> ChangedSinceAsync(NpgsqlConnection connection, long shopId, string snapshot, int commandTimeoutSeconds,
        CancellationToken cancellationToken)
    {
        await using var command = Command(ChangedSinceSql, connection, shopId, snapshot, commandTimeoutSeconds);
        var changed = new List<Changed>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) changed.Add(new Changed(reader.GetInt64(0), reader.GetBoolean(1)));
        changed.Sort((x, y) => x.CustomerId.CompareTo(y.CustomerId));
        return changed;
    }

    /// <summary>The customers a transaction <paramref name="snapshot"/> does not show deleted (some may have a row again since).</summary>
    public static async Task<HashSet<long>> DeletedSinceAsync(NpgsqlConnection connection, long shopId, string snapshot, int commandTimeoutSeconds,
        CancellationToken cancellationToken)
    {
        await using var command = Command(DeletedSinceSql, connection, shopId, snapshot, commandTimeoutSeconds);
        var deleted = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) deleted.Add(reader.GetInt64(0));
        return deleted;
    }

    /// <summary>
    /// Forgets the shop's deletions <paramref name="snapshot"/> shows, once nothing compares with an older snapshot: run when
    /// the histories read in it are kept (the next refit compares with them), in the same transaction.
    /// </summary>
    public static async Task ForgetDeletionsShownByAsync(NpgsqlConnection connection, long shopId, string snapshot, CancellationToken cancellationToken)
    {
        await using var command = Command("DELETE FROM customer_deletions WHERE shop_id = $1 AND pg_visible_in_snapshot(deleted_xid, $2::pg_snapshot)",
            connection, shopId, snapshot, commandTimeoutSeconds: null);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A statement about the shop (<c>$1</c>) and a snapshot (<c>$2</c>); the connection's timeout unless one is given.</summary>
    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, long shopId, string snapshot, int? commandTimeoutSeconds)
    {
        var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = shopId }, new() { Value = snapshot } } };
        if (commandTimeoutSeconds is { } seconds) command.CommandTimeout = seconds;
        return command;
    }
}
