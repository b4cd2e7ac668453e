using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionsByLastOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The scores keep the customer's last order as an instant (their last_order_at), not its local date: a list
            // read from the scores alone is then in the inactive list's own order, and its weeks away are the customers'.
            // Dropping last_order_on drops the three sort indexes that carried it; they come back carrying the instant and
            // their own column (PostgreSQL reads an expression index alone only when the expression's column is in it).
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "scored_last_order_at",
                table: "customer_predictions",
                type: "timestamp with time zone",
                nullable: true);
            migrationBuilder.Sql("""
                UPDATE customer_predictions p SET scored_last_order_at = c.last_order_at
                FROM customers c WHERE c.shop_id = p.shop_id AND c.id = p.customer_id;
                DELETE FROM customer_predictions WHERE scored_last_order_at IS NULL;
                ALTER TABLE customer_predictions ALTER COLUMN scored_last_order_at SET NOT NULL;
                """);
            migrationBuilder.DropIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions");
            migrationBuilder.DropColumn(
                name: "last_order_on",
                table: "customer_predictions");

            migrationBuilder.CreateIndex(
                name: "ix_customer_predictions_last_order",
                table: "customer_predictions",
                columns: new[] { "shop_id", "scored_last_order_at", "customer_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "overdue_on", "probability_alive", "rfm_segment", "predicted_value" });
            migrationBuilder.Sql("""
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id) INCLUDE (scored_last_order_at, probability_alive);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id) INCLUDE (scored_last_order_at, predicted_value);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (scored_last_order_at, overdue_on);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customer_predictions_last_order",
                table: "customer_predictions");
            migrationBuilder.Sql("""
                ALTER TABLE customer_predictions ADD COLUMN last_order_on date;
                UPDATE customer_predictions p SET last_order_on = (p.scored_last_order_at AT TIME ZONE coalesce(s.iana_timezone, 'UTC'))::date
                FROM shops s WHERE s.id = p.shop_id;
                ALTER TABLE customer_predictions ALTER COLUMN last_order_on SET NOT NULL;
                ALTER TABLE customer_predictions DROP COLUMN scored_last_order_at;
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id) INCLUDE (last_order_on);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id) INCLUDE (last_order_on);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (last_order_on);
                """);
            migrationBuilder.CreateIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions",
                columns: new[] { "shop_id", "last_order_on" },
                filter: "overdue_on IS NULL");
        }
    }
}
