using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <summary>
    /// Autovacuum visits <c>customers</c> and the shops' partitions of <c>customer_predictions</c> after 5,000 changes plus
    /// half a percent of their rows, not a fifth of them, so the visibility map the report's index-only scans rely on is
    /// set again after a week of a large shop's changes (Data/AutovacuumSettings.cs says why, and holds the settings each
    /// refit gives its new partition; they are written out here as this migration set them).
    /// </summary>
    /// <remarks>
    /// Setting autovacuum's parameters rewrites nothing and takes a lock that reads and writes pass (SHARE UPDATE
    /// EXCLUSIVE), held until the migration commits: it waits for a refit's next table being filled or indexed (seconds),
    /// and a refit's swap or index build on a table already set waits for it (the swap tries again for minutes).
    /// A partition that a worker of the previous version writes after this migration has PostgreSQL's defaults until the
    /// shop's next refit by a worker of this one.
    /// </remarks>
    public partial class ReportTablesVacuumedSooner : Migration
    {
        private const string Settings =
            "autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_scale_factor = 0.005, " +
            "autovacuum_vacuum_insert_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0.005";

        private const string Names =
            "autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(ForEachTable($"SET ({Settings})"));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(ForEachTable($"RESET ({Names})"));

        /// <summary>
        /// <paramref name="change"/> on <c>customers</c> and on every shop's partition of the scores (and a refit's next
        /// table, if one is being written), each by its name and only if it still exists: a table that a refit drops or
        /// renames meanwhile (a swap, a leftover next table dropped) is passed over, not failed on, and a partition missed
        /// so gets the settings from the shop's next refit, which makes its next table with them.
        /// </summary>
        private static string ForEachTable(string change) => $"""
            ALTER TABLE customers {change};
            DO $$
            DECLARE scores text;
            BEGIN
                FOR scores IN SELECT c.relname::text FROM pg_class c
                    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname ~ '^customer_predictions_[0-9]+(_next)?$'
                LOOP
                    EXECUTE format('ALTER TABLE IF EXISTS %I {change}', scores);
                END LOOP;
            END $$;
            """;
    }
}
