using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelTrackRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_track_records",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    holdout_end = table.Column<DateOnly>(type: "date", nullable: false),
                    calibration_end = table.Column<DateOnly>(type: "date", nullable: false),
                    checked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    model_name = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    predicted_purchases = table.Column<double>(type: "double precision", nullable: true),
                    actual_purchases = table.Column<int>(type: "integer", nullable: true),
                    model_auc = table.Column<double>(type: "double precision", nullable: true),
                    rule_auc = table.Column<double>(type: "double precision", nullable: true),
                    model_brier = table.Column<double>(type: "double precision", nullable: true),
                    rule_brier = table.Column<double>(type: "double precision", nullable: true),
                    record = table.Column<string>(type: "jsonb", nullable: true),
                    explanation = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_model_track_records", x => new { x.shop_id, x.holdout_end });
                    table.ForeignKey(
                        name: "fk_model_track_records_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_track_records");
        }
    }
}
