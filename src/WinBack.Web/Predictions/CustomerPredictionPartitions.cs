using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
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
/// The swap takes the whole table's strongest lock (PostgreSQL detaches a partition so), which every shop's report
/// queries wait for: it waits for that lock at most <see cref="LockWait"/> at a time, so it never queues every shop
/// behind one shop's long query, and tries again until <see cref="GiveUpAfter"/>.
/// </remarks>
public sealed class CustomerPredictionPartitions(WinBackDbContext db, ILogger<CustomerPredictionPartitions> logger)
{
    private const string Table = "customer_predictions";
    private static readonly TimeSpan LockWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(5);

    /// <summary>The partition the report reads for the shop.</summary>
    public static string NameOf(long shopId) => $"{Table}_{shopId}";

    /// <summary>The shop's next scores while a refit writes them.</summary>
    public static string NextOf(long shopId) => $"{Table}_{shopId}_next";

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
        await ExecuteAsync($"CREATE TABLE {next} (LIKE {Table} INCLUDING DEFAULTS, CHECK (shop_id = {shopId}))", cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync($"TRUNCATE {next}", cancellationToken);
        await copy(next);
        await ExecuteAsync("SET LOCAL maintenance_work_mem = '256MB'", cancellationToken);
        await ExecuteAsync($"ALTER TABLE {next} ADD PRIMARY KEY (shop_id, customer_id)", cancellationToken);
        var indexes = await db.Database.SqlQuery<string>($"""
            SELECT CASE WHEN i.indisunique THEN 'CREATE UNIQUE INDEX ON ' ELSE 'CREATE INDEX ON ' END || {next}
                   || substring(pg_get_indexdef(i.indexrelid) from ' USING .*$') AS "Value"
            FROM pg_index i WHERE i.indrelid = 'customer_predictions'::regclass AND NOT i.indisprimary ORDER BY i.indexrelid
            """).ToListAsync(cancellationToken);
        foreach (var index in indexes) await ExecuteAsync(index, cancellationToken);
        await ExecuteAsync($"ANALYZE {next}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Swaps the shop's next table in for its partition and runs <paramref name="alsoAtCommit"/> in the same transaction
    /// (what must change together with the scores: the fit, the rows webhooks changed meanwhile), then commits. The
    /// report's data version moves on with it.
    /// </summary>
    public Task SwapInAsync(long shopId, Func<Task> alsoAtCommit, CancellationToken cancellationToken)
    {
        var (current, next) = (NameOf(shopId), NextOf(shopId));
        var attached = false;
        return WithShortLockWaitsAsync($"the scores of shop {shopId}",
            takeLocks: async () =>
            {
                attached = await IsAttachedAsync(current, cancellationToken);
                if (attached) await ExecuteAsync($"ALTER TABLE {Table} DETACH PARTITION {current}", cancellationToken);
                await ExecuteAsync($"ALTER TABLE {Table} ATTACH PARTITION {next} FOR VALUES IN ({shopId})", cancellationToken);
            },
            then: async () =>
            {
                if (attached) await ExecuteAsync($"DROP TABLE {current}", cancellationToken);
                await ExecuteAsync($"ALTER TABLE {next} RENAME TO {current}", cancellationToken);
                await ExecuteAsync($"INSERT INTO report_data_version_bumps (shop_id) VALUES ({shopId})", cancellationToken);
                await alsoAtCommit();
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
        foreach (var orphan in orphans)
            await WithShortLockWaitsAsync(orphan, () => ExecuteAsync($"DROP TABLE IF EXISTS {orphan}", cancellationToken), () => Task.CompletedTask, cancellationToken);
        return orphans.Count;
    }

    /// <summary>
    /// One transaction that takes its locks waiting <see cref="LockWait"/> at most, and is tried again after a pause while
    /// another query holds them, until <see cref="GiveUpAfter"/>; then the rest of it, and commit.
    /// </summary>
    private async Task WithShortLockWaitsAsync(string what, Func<Task> takeLocks, Func<Task> then, CancellationToken cancellationToken)
    {
        // Waiting on a lock is wall-clock time on this server, not the shops' calendar: a stopwatch, not the TimeProvider.
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                await ExecuteAsync($"SET LOCAL lock_timeout = '{(int)LockWait.TotalMilliseconds}ms'", cancellationToken);
                await takeLocks();
                await ExecuteAsync("SET LOCAL lock_timeout TO DEFAULT", cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable && Stopwatch.GetElapsedTime(started) < GiveUpAfter)
            {
                await transaction.RollbackAsync(cancellationToken);
                if (attempt % 10 == 0) logger.LogInformation("{What}: other queries hold the scores' table; {Attempts} tries so far", what, attempt);
                await Task.Delay(RetryPause, cancellationToken);
                continue;
            }
            await then();
            await transaction.CommitAsync(cancellationToken);
            return;
        }
    }

    private Task<bool> IsAttachedAsync(string partition, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<bool>($"""
            SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = 'customer_predictions'::regclass AND inhrelid = to_regclass({partition})) AS "Value"
            """).SingleAsync(cancellationToken);

    // Names are made here from the shop's numeric id, never from input: raw SQL is safe.
    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) => db.Database.ExecuteSqlRawAsync(sql, cancellationToken);
}
