using Microsoft.Extensions.Options;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Operations;

namespace WinBack.Web.Sheets;

/// <summary>
/// Sheets allows a service account 60 write requests a minute, for all shops together. Every worker on every server
/// takes a slot here before a write: the slots of the last window are rows in PostgreSQL, counted under an advisory
/// lock, so the quota is shared without a coordinator. A full window makes the caller wait for the oldest slot to age
/// out. It uses a connection of its own, so a caller may hold a reader open on its DbContext meanwhile.
/// </summary>
public sealed class SheetsWriteLimiter(IOptions<DatabaseOptions> database, IOptions<SheetsOptions> options, WinBackMetrics metrics, TimeProvider time)
{
    private const int LockNamespace = 0x57_42_51; // "WBQ"

    /// <summary>A slot is taken just before its request reaches Google, so Google's window ends a little later than ours.</summary>
    private static TimeSpan Margin(TimeSpan window) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(250).Ticks, window.Ticks / 20));

    public async Task AcquireAsync(string serviceAccount, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = await TryTakeAsync(serviceAccount, take: true, cancellationToken);
            if (wait is null)
            {
                metrics.SheetWrite();
                return;
            }
            metrics.SheetQuotaWait(wait.Value, rescheduled: false);
            await Task.Delay(wait.Value, time, cancellationToken);
        }
    }

    /// <returns>Null when a write could go out now, or how long until a slot frees up (nothing is taken).</returns>
    public Task<TimeSpan?> TimeUntilFreeAsync(string serviceAccount, CancellationToken cancellationToken) =>
        TryTakeAsync(serviceAccount, take: false, cancellationToken);

    /// <returns>Null when a slot is free (and, with <paramref name="take"/>, was taken), or how long until one frees up.</returns>
    private async Task<TimeSpan?> TryTakeAsync(string serviceAccount, bool take, CancellationToken cancellationToken)
    {
        var (limit, window) = (options.Value.WritesPerWindow, options.Value.WriteWindow);
        var now = time.GetUtcNow();
        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("SELECT pg_advisory_xact_lock($1, hashtext($2))") { Parameters = { new() { Value = LockNamespace }, new() { Value = serviceAccount } } },
                new("DELETE FROM sheets_write_slots WHERE service_account = $1 AND taken_at <= $2") { Parameters = { new() { Value = serviceAccount }, new() { Value = now - window } } },
                new("SELECT taken_at FROM sheets_write_slots WHERE service_account = $1 ORDER BY taken_at DESC OFFSET $2 LIMIT 1")
                {
                    Parameters = { new() { Value = serviceAccount }, new() { Value = (long)limit - 1 } },
                },
            },
        };
        // The limit-th newest slot, when there is one, is the one that must age out before another write.
        object? blocking = null;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "taken_at" && await reader.ReadAsync(cancellationToken)) blocking = reader.GetValue(0);
            } while (await reader.NextResultAsync(cancellationToken));
        }
        if (blocking is DateTime takenAt)
        {
            await transaction.CommitAsync(cancellationToken);
            return new DateTimeOffset(DateTime.SpecifyKind(takenAt, DateTimeKind.Utc)) + window - now + Margin(window);
        }
        if (!take) return null;
        await using var insert = new NpgsqlCommand("INSERT INTO sheets_write_slots (service_account, taken_at) VALUES ($1, $2)", connection, transaction)
        {
            Parameters = { new() { Value = serviceAccount }, new() { Value = now } },
        };
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }
}
