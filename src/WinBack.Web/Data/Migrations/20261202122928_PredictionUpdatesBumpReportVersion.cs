using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionUpdatesBumpReportVersion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A rescoring that only changes existing scores (INSERT ... ON CONFLICT DO UPDATE: the insert trigger's table is
            // then empty) is a change of the report's data too: a re-sync rescores in a transaction of its own, after its
            // merge, and a count or the at-risk list's keys cached in between must not outlive it.
            migrationBuilder.Sql("""
                CREATE TRIGGER customer_predictions_updated AFTER UPDATE ON customer_predictions
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER customer_predictions_updated ON customer_predictions;");
        }
    }
}
