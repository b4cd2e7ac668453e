namespace WinBack.Web.Data;

/// <summary>
/// How soon autovacuum visits the tables the report pages through index-only scans: <c>customers</c> and each shop's
/// partition of <c>customer_predictions</c>. An index-only scan reads a row's columns from the index only where the
/// visibility map says the row's heap page is all-visible; any insert, update or delete on a page clears that until a
/// vacuum sets it again. PostgreSQL's default waits for changes to a fifth of the table's rows, so a large shop's
/// week of webhook changes (a few percent of its customers, spread over about half its pages) was never vacuumed, and a
/// page of a list that walks many index entries fetched each from the heap: the high-value list's first page took
/// 12-19 ms instead of 1.8 ms in a shop of a million customers (docs/BENCHMARKS.md). Here a table is vacuumed after 5,000 changes
/// plus half a percent of its rows, inserts counted the same way.
/// </summary>
/// <remarks>
/// Storage parameters of the table itself (a partitioned table has none): the migration
/// <c>ReportTablesVacuumedSooner</c> sets them on <c>customers</c> and on the partitions there were, and each refit's
/// next partition is made with them (<see cref="Predictions.CustomerPredictionPartitions"/>).
/// </remarks>
public static class AutovacuumSettings
{
    /// <summary>The storage parameters, as SQL for <c>WITH (...)</c> or <c>SET (...)</c>.</summary>
    public const string ReportTables =
        "autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_scale_factor = 0.005, " +
        "autovacuum_vacuum_insert_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0.005";
}
