using Microsoft.EntityFrameworkCore;

namespace WinBack.Web.Data;

/// <summary>
/// "One run at a time, whichever server picks it up": a PostgreSQL session advisory lock on (namespace, key), held on
/// the context's connection for the whole run and released before the connection goes back to the pool.
/// </summary>
public static class AdvisoryLock
{
    /// <returns>False when another session holds the lock: the caller stands down and <paramref name="run"/> is not called.</returns>
    public static async Task<bool> RunExclusiveAsync(this WinBackDbContext db, int lockNamespace, long key, Func<Task> run, CancellationToken cancellationToken)
    {
        var lockKey = (int)key;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var locked = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({lockNamespace}, {lockKey}) AS \"Value\"").SingleAsync(cancellationToken);
            if (!locked) return false;
            try
            {
                await run();
                return true;
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockNamespace}, {lockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>"One at a time, the others wait their turn": the same lock, keyed by a text, waited for rather than tried.</summary>
    public static async Task RunInTurnAsync(this WinBackDbContext db, int lockNamespace, string key, Func<Task> run, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({lockNamespace}, hashtext({key}))", cancellationToken);
            try
            {
                await run();
            }
            finally
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({lockNamespace}, hashtext({key}))", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
