using Npgsql;

namespace WinBack.Web.Data;

/// <summary>What a statement that may not wait for a lock (<c>lock_timeout</c>, <c>NOWAIT</c>) reports when it had to.</summary>
public static class LockWaits
{
    /// <summary>A lock not had in time, by a statement or inside SaveChanges (which wraps it).</summary>
    public static bool IsLockNotAvailable(Exception e) =>
        (e as PostgresException ?? e.InnerException as PostgresException) is { SqlState: PostgresErrorCodes.LockNotAvailable };
}
