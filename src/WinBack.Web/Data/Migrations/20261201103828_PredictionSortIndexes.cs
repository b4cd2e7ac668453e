using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "overdue_on",
                table: "customer_predictions",
                type: "date",
                nullable: true);

            // Scores written before the column: the day each customer with a usual interval becomes overdue by it (the
            // next refit rewrites every row the same way, CustomerScorer.OverdueOn).
            migrationBuilder.Sql("""
                UPDATE customer_predictions p
                SET overdue_on = (c.last_order_at AT TIME ZONE coalesce(s.iana_timezone, 'UTC'))::date + ceil(greatest(2 * p.usual_interval_days, 14))::int
                FROM customers c JOIN shops s ON s.id = c.shop_id
                WHERE c.shop_id = p.shop_id AND c.id = p.customer_id AND p.usual_interval_days IS NOT NULL AND c.last_order_at IS NOT NULL;
                """);

            // The prediction sorts of the report (InactiveCustomersQuery) page through these expressions.
            migrationBuilder.Sql("""
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_customer_predictions_probability_alive_sort;
                DROP INDEX ix_customer_predictions_predicted_value_sort;
                DROP INDEX ix_customer_predictions_overdue_on_sort;
                """);

            migrationBuilder.DropColumn(
                name: "overdue_on",
                table: "customer_predictions");
        }
    }
}
