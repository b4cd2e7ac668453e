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
    /// Setting autovacuum's parameters takes a lock that reads and writes pass (SHARE UPDATE EXCLUSIVE), and rewrites nothing.
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

        /// <summary><paramref name="change"/> on <c>customers</c> and on every shop's partition of the scores (and a refit's next table, if one is being written).</summary>
        private static string ForEachTable(string change) => $"""
            ALTER TABLE customers {change};
            DO $$
            DECLARE scores regclass;
            BEGIN
                FOR scores IN SELECT c.oid::regclass FROM pg_class c
                    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname ~ '^customer_predictions_[0-9]+(_next)?$'
                LOOP
                    BEGIN
                        EXECUTE format('ALTER TABLE %s {change}', scores);
                    EXCEPTION WHEN undefined_table THEN
                        -- Swapped in (renamed) or dropped by a refit since the list was read: its next one is made with them.
                        NULL;
                    END;
                END LOOP;
            END $$;
            """;
    }
}
