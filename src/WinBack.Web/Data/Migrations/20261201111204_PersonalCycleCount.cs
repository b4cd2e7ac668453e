using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PersonalCycleCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "last_order_on",
                table: "customer_predictions",
                type: "date",
                nullable: false,
                defaultValue: new DateOnly(1, 1, 1));

            // Scores written before the column: each customer's last order date in the shop's calendar (as CustomerScorer writes it).
            migrationBuilder.Sql("""
                UPDATE customer_predictions p
                SET last_order_on = (c.last_order_at AT TIME ZONE coalesce(s.iana_timezone, 'UTC'))::date
                FROM customers c JOIN shops s ON s.id = c.shop_id
                WHERE c.shop_id = p.shop_id AND c.id = p.customer_id AND c.last_order_at IS NOT NULL;
                """);

            // The prediction sorts' indexes carry the last order date: a page skips customers outside its weeks in the index.
            migrationBuilder.Sql("""
                DROP INDEX ix_customer_predictions_probability_alive_sort;
                DROP INDEX ix_customer_predictions_predicted_value_sort;
                DROP INDEX ix_customer_predictions_overdue_on_sort;
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions");

            migrationBuilder.DropColumn(
                name: "last_order_on",
                table: "customer_predictions");
        }
    }
}
