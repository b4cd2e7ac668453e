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
            migrationBuilder.DropIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions");

            migrationBuilder.CreateIndex(
                name: "ix_customer_predictions_last_order",
                table: "customer_predictions",
                columns: new[] { "shop_id", "last_order_on", "customer_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "overdue_on", "probability_alive", "rfm_segment", "predicted_value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customer_predictions_last_order",
                table: "customer_predictions");

            migrationBuilder.CreateIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions",
                columns: new[] { "shop_id", "last_order_on" },
                filter: "overdue_on IS NULL");
        }
    }
}
