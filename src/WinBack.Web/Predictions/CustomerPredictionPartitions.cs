using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Data;

namespace WinBack.Web.Predictions;

/// <summary>
/// The scores' table has a partition per shop, <c>customer_predictions_&lt;shop id&gt;</c>, made by the shop's first refit.
/// A refit does not rewrite a million rows in place through five indexes: it copies the shop's next scores into a table
/// of their own without indexes, builds each of the table's indexes there in one sort, and swaps that table in for the
/// shop's partition in a transaction of a few milliseconds. The report reads the old scores until the swap commits and
/// the new ones after it, never a mix.
/// </summary>
/// <remarks>
/// The swap catches up, in its transaction, with what changed while the refit computed (<see cref="SwapInAsync"/>): the
/// shop's other writers of scores, and of what the catch-up reads (rescoring, erasure, the rollups' recomputes, a sync's
/// merge, a customer's deletion), hold off the swap for their transaction (<see cref="HoldOffSwapAsync"/>) and wait for it,
/// so none lands between the catch-up and the swap, and no other shop waits for the catch-up. The swap
/// itself takes the whole table's strongest lock (PostgreSQL detaches a partition so) for milliseconds, which every
/// shop's queries wait for: it waits for locks at most <see cref="LockWait"/> at a time, so it never queues every shop
/// behind one shop's long query, and tries again until <see cref="GiveUpAfter"/>.
/// </remarks>
public sealed class CustomerPredictionPartitions(WinBackDbContext db, ILogger<CustomerPredictionPartitions> logger)
{
    /// <summary>The scores' (partitioned) table.</summary>
    public const string Table = "customer_predictions";
    internal const int SwapLockNamespace = 0x53434F52; // "SCOR"
    private static readonly TimeSpan LockWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(5);
    /// <summary>Enough to sort a million customers' index entries in memory (PostgreSQL's default, 64 MB, sorts them on disk).</summary>
    private const string BuildMemory = "SET LOCAL maintenance_work_mem = '256MB'";

    /// <summary>The partition the report reads for the shop.</summary>
    public static string NameOf(long shopId) => $"{Table}_{ShopIdSql(shopId)}";

    /// <summary>
    /// The shop's scores to read from, as SQL to follow with an alias: the scores' table with the shop's id written as a
    /// constant, which PostgreSQL prunes to the shop's partition (or to nothing before its first fit) when it plans. Every
    /// statement that reads or deletes scores names its shop so (or names the partition): with the shop a parameter,
    /// PostgreSQL plans and locks every shop's partition and index, at once for an outer join and in any plan it keeps for
    /// a prepared statement (a generic plan), so one shop's statement waits behind any other shop's lock, and at thousands
    /// of shops needs more locks than the server holds. An insert's rows are routed to their partition as it runs.
    /// </summary>
    public static string ScoresOf(long shopId) => $"(SELECT * FROM {Table} WHERE shop_id = {ShopIdSql(shopId)})";

    /// <summary>The shop's id as a SQL constant (see <see cref="ScoresOf"/>).</summary>
    public static string ShopIdSql(long shopId) => shopId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The shop's next scores while a refit writes them.</summary>
    public static string NextOf(long shopId) => $"{Table}_{ShopIdSql(shopId)}_next";

    /// <summary>
    /// A table the shop's scores are written to, as SQL text: the scores' table or a refit's next partition, and nothing
    /// else (a table's name cannot be a parameter, so only these names pass).
    /// </summary>
    public static string Checked(string table) =>
        table == Table || Regex.IsMatch(table, $@"^{Table}_[0-9]+_next\z") ? table : throw new ArgumentException($"Not a table of scores: {table}", nameof(table));

    /// <summary>
    /// Writes the shop's next scores: <paramref name="copy"/> fills the table it is given (named for the COPY), which then
    /// gets the table's key and every index of the scores' table, each built in one sort (the same definitions, so the swap
    /// adopts them instead of building them again), and statistics, so the report's first queries after the swap are
    /// planned on the new rows. The table is made in a transaction of its own (a leftover of a refit that died goes first)
    /// and emptied in the one that fills it, which lets the COPY write its rows frozen and visible to all
    /// (<c>COPY ... FREEZE</c>): the report's index-only scans need no vacuum after the swap.
    /// </summary>
    public async Task WriteNextAsync(long shopId, Func<string, Task> copy, CancellationToken cancellationToken)
    {
        var next = NextOf(shopId);
        await ExecuteAsync($"DROP TABLE IF EXISTS {next}", cancellationToken);
        // Autovacuum is kept off it until its indexes are built: a million new rows, committed before the builds, would
        // invite a vacuum, whose lock holds up a build until the server cancels it. Then it comes as soon as the report's
        // tables need it (AutovacuumSettings): rescoring between refits clears the pages' visibility its index-only scans need.
        await ExecuteAsync($"CREATE TABLE {next} (LIKE {Table} INCLUDING DEFAULTS, CHECK (shop_id = {shopId})) " +
                           $"WITH (autovacuum_enabled = off, {AutovacuumSettings.ReportTables})", cancellationToken);
        await using (var filling = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await ExecuteAsync($"TRUNCATE {next}", cancellationToken);
            await copy(next);
            await filling.CommitAsync(cancellationToken);
        }
        // No one else reads the table until the swap: its indexes are built two at a time, on this connection and another
        // (an index build has serial stretches, its last merge and the writing of its tree, that leave a core to the other),
        // the key's among them as a plain unique index, which becomes the key once all are built. Each is named here: the
        // names PostgreSQL would choose are chosen by each build alone, and two at once can choose the same.
        var missing = await IndexChangesAsync(next, cancellationToken);
        var names = await FreeNamesAsync(next, missing.Count + 1, cancellationToken);
        var key = names[0];
        List<string> builds = [$"CREATE UNIQUE INDEX {key} ON {next} (shop_id, customer_id)", .. missing.Select((m, i) => m.Statement(next, names[i + 1]))];
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await Task.WhenAll(
                BuildAsync(db.Database.GetDbConnection(), builds.Where((_, i) => i % 2 == 0), cancellationToken),
                BuildOnAnotherConnectionAsync(builds.Where((_, i) => i % 2 == 1), cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        await ExecuteAsync($"ALTER TABLE {next} ADD CONSTRAINT {key} PRIMARY KEY USING INDEX {key}, RESET (autovacuum_enabled)", cancellationToken);
        await ExecuteAsync($"ANALYZE {next}", cancellationToken);
    }

    /// <summary>
    /// Names for the next table's indexes that no relation has (index names are the schema's, and the shop's partition keeps
    /// those its refit gave): <c>&lt;table&gt;_idx1</c>, <c>_idx2</c>, ... skipping the ones in use.
    /// </summary>
    private Task<List<string>> FreeNamesAsync(string next, int count, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<string>($"""
            SELECT name AS "Value" FROM generate_series(1, 1000) k, LATERAL (SELECT {next} || '_idx' || k AS name) n
            WHERE to_regclass(name) IS NULL ORDER BY k LIMIT {count}
            """).ToListAsync(cancellationToken);

    private async Task BuildOnAnotherConnectionAsync(IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await using var connection = await db.Database.OpenAnotherConnectionAsync(cancellationToken);
        await BuildAsync(connection, statements, cancellationToken);
    }

    /// <summary>Index builds in one transaction on <paramref name="connection"/>, with the memory to sort a large shop's in one pass.</summary>
    private async Task BuildAsync(System.Data.Common.DbConnection connection, IEnumerable<string> statements, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var statement in statements.Prepend(BuildMemory))
        {
            await using var command = connection.CreateCommand();
            (command.CommandText, command.Transaction) = (statement, transaction);
            if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Held (shared) for the rest of the caller's transaction by every other writer of a shop's scores, rollups or
    /// customers, before it reads the fit or writes: a swap in progress is waited for (the writer then reads the new fit and writes into the new
    /// partition), and a swap that starts meanwhile waits for the writer's commit, then catches up with its change.
    /// </summary>
    public static Task HoldOffSwapAsync(WinBackDbContext db, long shopId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock_shared({SwapLockNamespace}, {(int)shopId})", cancellationToken);

    /// <summary>
    /// Gives the next table the table's indexes as they are now (a transaction of its own), then swaps it in for the
    /// shop's partition, in one transaction: first <paramref name="catchUp"/> brings the next table up to date (it is
    /// given the table's name) while the shop's other writers wait, and every other shop goes on; then the swap, under
    /// the whole table's lock for milliseconds; the report's data version moves on with it.
    /// </summary>
    public async Task SwapInAsync(long shopId, Func<string, Task> catchUp, CancellationToken cancellationToken)
    {
        var (current, next) = (NameOf(shopId), NextOf(shopId));
        // A deploy's migration may have changed the table's indexes since the next table got them. The ATTACH would build
        // what it lacks under the whole table's lock, every shop waiting: it is built first, in a transaction that holds
        // the next table alone.
        await using (var matching = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await ExecuteAsync(BuildMemory, cancellationToken);
            await MatchIndexesAsync(next, cancellationToken);
            await matching.CommitAsync(cancellationToken);
        }
        await WithShortLockWaitsAsync($"The scores of shop {shopId}", async () =>
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SwapLockNamespace}, {(int)shopId})", cancellationToken);
            // The shop's own partition first, then the whole table: a long read of this shop (an export, a Sheet sync)
            // is waited for here, holding nothing every other shop needs, and the catch-up runs once it is out of the way.
            var attached = await IsAttachedAsync(current, cancellationToken);
            if (attached) await ExecuteAsync($"LOCK TABLE {current} IN ACCESS EXCLUSIVE MODE", cancellationToken);
            await catchUp(next);
            // Checked again under a lock that keeps a migration from changing them until the ATTACH (every shop reads and
            // writes on): there is nothing to do unless one did since the first check.
            await ExecuteAsync($"LOCK TABLE ONLY {Table} IN SHARE UPDATE EXCLUSIVE MODE", cancellationToken);
            await MatchIndexesAsync(next, cancellationToken);
            if (attached) await ExecuteAsync($"ALTER TABLE {Table} DETACH PARTITION {current}", cancellationToken);
            await ExecuteAsync($"ALTER TABLE {Table} ATTACH PARTITION {next} FOR VALUES IN ({shopId})", cancellationToken);
            if (attached) await ExecuteAsync($"DROP TABLE {current}", cancellationToken);
            await ExecuteAsync($"ALTER TABLE {next} RENAME TO {current}", cancellationToken);
            await ExecuteAsync($"INSERT INTO report_data_version_bumps (shop_id) VALUES ({shopId})", cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The partitions (and next tables left by a refit that died) of shops that are gone: their rows went with the shop
    /// (the shops_deleted trigger), their empty tables go here, with the swap's short lock waits.
    /// </summary>
    public async Task<int> DropOrphansAsync(CancellationToken cancellationToken)
    {
        var orphans = await db.Database.SqlQuery<string>($"""
            SELECT c.relname AS "Value" FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname ~ '^customer_predictions_[0-9]+(_next)?$'
              AND NOT EXISTS (SELECT 1 FROM shops s WHERE s.id = substring(c.relname from '^customer_predictions_([0-9]+)')::bigint)
            """).ToListAsync(cancellationToken);
        foreach (var orphan in orphans) await WithShortLockWaitsAsync(orphan, () => ExecuteAsync($"DROP TABLE IF EXISTS {orphan}", cancellationToken), cancellationToken);
        return orphans.Count;
    }

    /// <summary>
    /// One transaction whose every lock is waited for <see cref="LockWait"/> at most; when another query holds one, it is
    /// rolled back and tried again after a pause, until <see cref="GiveUpAfter"/>.
    /// </summary>
    private async Task WithShortLockWaitsAsync(string what, Func<Task> work, CancellationToken cancellationToken)
    {
        // Waiting on a lock is wall-clock time on this server, not the shops' calendar: a stopwatch, not the TimeProvider.
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                await ExecuteAsync($"SET LOCAL lock_timeout = '{(int)LockWait.TotalMilliseconds}ms'", cancellationToken);
                await work();
                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (LockWaits.IsLockNotAvailable(e) && Stopwatch.GetElapsedTime(started) < GiveUpAfter)
            {
                await transaction.RollbackAsync(cancellationToken);
                if (attempt % 10 == 0) logger.LogInformation("{What}: other queries hold the scores' table; {Attempts} tries so far", what, attempt);
                await Task.Delay(RetryPause, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="next"/> the scores' table's indexes besides its key, by their definitions: each one it lacks
    /// is built (in one sort), each one the table no longer has is dropped, so the ATTACH adopts them all and builds none.
    /// </summary>
    private async Task MatchIndexesAsync(string next, CancellationToken cancellationToken)
    {
        foreach (var change in await IndexChangesAsync(next, cancellationToken)) await ExecuteAsync(change.Statement(next), cancellationToken);
    }

    /// <summary>
    /// A difference between a table's indexes and the scores' table's: an index of the table's to drop (<see cref="Dropped"/>),
    /// or one of the scores' table's it lacks, by its definition from <c>USING</c> on.
    /// </summary>
    private sealed record IndexChange(string? Dropped, bool IsUnique, string? Definition)
    {
        /// <summary>The statement that makes the change on <paramref name="table"/>; a build is named <paramref name="name"/>, or as PostgreSQL chooses.</summary>
        public string Statement(string table, string? name = null) =>
            Dropped is not null ? $"DROP INDEX {Dropped}" : $"CREATE {(IsUnique ? "UNIQUE " : "")}INDEX {name} ON {table}{Definition}";
    }

    /// <summary>What <see cref="MatchIndexesAsync"/> does: the drops of the indexes the table no longer has, then the builds of those it lacks.</summary>
    private Task<List<IndexChange>> IndexChangesAsync(string next, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<IndexChange>($"""
            WITH wanted AS (
                SELECT indexrelid, indisunique AS is_unique, substring(pg_get_indexdef(indexrelid) from ' USING .*$') AS definition
                FROM pg_index WHERE indrelid = 'customer_predictions'::regclass AND NOT indisprimary),
            present AS (
                SELECT indexrelid, indisunique AS is_unique, substring(pg_get_indexdef(indexrelid) from ' USING .*$') AS definition
                FROM pg_index WHERE indrelid = to_regclass({next}) AND NOT indisprimary)
            SELECT dropped, is_unique, definition FROM (
                SELECT 1 AS step, p.indexrelid, p.indexrelid::regclass::text AS dropped, p.is_unique, NULL AS definition FROM present p
                WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.is_unique = p.is_unique AND w.definition = p.definition)
                UNION ALL
                SELECT 2, w.indexrelid, NULL, w.is_unique, w.definition FROM wanted w
                WHERE NOT EXISTS (SELECT 1 FROM present p WHERE p.is_unique = w.is_unique AND p.definition = w.definition)) s
            ORDER BY step, indexrelid
            """).ToListAsync(cancellationToken);

    private Task<bool> IsAttachedAsync(string partition, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = 'customer_predictions'::regclass AND inhrelid = to_regclass({partition})) AS "Value"
            """).SingleAsync(cancellationToken);

    // Names are made here from the shop's numeric id, never from input: raw SQL is safe.
    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) => db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
}
