using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <summary>
    /// The spend model's estimate is stored as what scores a customer (the shop's average order and how many orders it
    /// counts as, WinBack.Analytics.OrderValueEstimate), since a fit at one of its limits leaves p, q or γ unestimated.
    /// Stored fits get theirs from p, q and γ: p·γ/(q − 1) and (q − 1)/p, as the Gamma-Gamma model gives them.
    /// </summary>
    public partial class SpendEstimateStored : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "spend_shop_average",
                table: "customer_model_fits",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "spend_shop_average_orders",
                table: "customer_model_fits",
                type: "double precision",
                nullable: true);

            migrationBuilder.Sql(
                "UPDATE customer_model_fits SET spend_shop_average = p * gamma / (q - 1), spend_shop_average_orders = (q - 1) / p " +
                "WHERE p > 0 AND q > 1 AND gamma > 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "spend_shop_average", table: "customer_model_fits");
            migrationBuilder.DropColumn(name: "spend_shop_average_orders", table: "customer_model_fits");
        }
    }
}
