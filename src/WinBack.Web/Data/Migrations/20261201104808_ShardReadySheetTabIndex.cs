using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ShardReadySheetTabIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs");

            migrationBuilder.CreateIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs",
                columns: new[] { "spreadsheet_id", "tab_name" },
                filter: "verified_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs");

            migrationBuilder.CreateIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs",
                columns: new[] { "spreadsheet_id", "tab_name" },
                unique: true,
                filter: "verified_at IS NOT NULL");
        }
    }
}
