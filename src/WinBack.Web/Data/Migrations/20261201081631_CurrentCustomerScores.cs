using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class CurrentCustomerScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "purchase_model",
                table: "customer_model_fits",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "purchase_parameters",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "rfm_frequency_cuts",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "rfm_monetary_cuts",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "rfm_recency_cuts",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "purchase_model",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "purchase_parameters",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "rfm_frequency_cuts",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "rfm_monetary_cuts",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "rfm_recency_cuts",
                table: "customer_model_fits");
        }
    }
}
