using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class RfmMovesAndAtRisk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<short>(
                name: "rfm_segment_at_refit",
                table: "customer_predictions",
                type: "smallint",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "rfm_compared_with",
                table: "customer_model_fits",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<int[]>(
                name: "rfm_moved_in",
                table: "customer_model_fits",
                type: "integer[]",
                nullable: true);

            migrationBuilder.AddColumn<int[]>(
                name: "rfm_moved_out",
                table: "customer_model_fits",
                type: "integer[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "rfm_segment_at_refit",
                table: "customer_predictions");

            migrationBuilder.DropColumn(
                name: "rfm_compared_with",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "rfm_moved_in",
                table: "customer_model_fits");

            migrationBuilder.DropColumn(
                name: "rfm_moved_out",
                table: "customer_model_fits");
        }
    }
}
