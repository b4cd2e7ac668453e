using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PurchaseModelChoice : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "purchase_model_choice",
                table: "customer_model_fits",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "purchase_standard_errors",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "returning_in13weeks",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);

            migrationBuilder.AddColumn<double[]>(
                name: "returning_in4weeks",
                table: "customer_model_fits",
                type: "double precision[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "purchase_model_choice",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "purchase_standard_errors",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "returning_in13weeks",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "returning_in4weeks",
                table: "customer_model_fits");
        }
    }
}
