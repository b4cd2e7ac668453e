using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SheetOwnershipAndRedactions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "redactions_applied",
                table: "sheet_syncs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "redactions_requested",
                table: "sheet_syncs",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "verification_code",
                table: "sheet_syncs",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "verification_code_expires_at",
                table: "sheet_syncs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "verified_at",
                table: "sheet_syncs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs",
                columns: new[] { "spreadsheet_id", "tab_name" },
                unique: true,
                filter: "verified_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs");

            migrationBuilder.DropColumn(
                name: "redactions_applied",
                table: "sheet_syncs");

            migrationBuilder.DropColumn(
                name: "redactions_requested",
                table: "sheet_syncs");

            migrationBuilder.DropColumn(
                name: "verification_code",
                table: "sheet_syncs");

            migrationBuilder.DropColumn(
                name: "verification_code_expires_at",
                table: "sheet_syncs");

            migrationBuilder.DropColumn(
                name: "verified_at",
                table: "sheet_syncs");
        }
    }
}
