using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class SheetSyncs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sheet_syncs",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    spreadsheet_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    tab_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    saved_view_id = table.Column<long>(type: "bigint", nullable: true),
                    frequency = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_run_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_success_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rows_written = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    paused = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sheet_syncs", x => new { x.shop_id, x.id });
                    table.ForeignKey(
                        name: "fk_sheet_syncs_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sheet_listings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    sync_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    listed_since = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sheet_listings", x => new { x.shop_id, x.sync_id, x.customer_id });
                    table.ForeignKey(
                        name: "fk_sheet_listings_sheet_syncs_shop_id_sync_id",
                        columns: x => new { x.shop_id, x.sync_id },
                        principalTable: "sheet_syncs",
                        principalColumns: new[] { "shop_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            // The shared Sheets write quota (SheetsWriteLimiter): one row per write slot of the last minute.
            migrationBuilder.Sql("""
                CREATE TABLE sheets_write_slots (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    service_account text NOT NULL,
                    taken_at timestamptz NOT NULL);
                CREATE INDEX ix_sheets_write_slots ON sheets_write_slots (service_account, taken_at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE sheets_write_slots;");
            migrationBuilder.DropTable(
                name: "sheet_listings");

            migrationBuilder.DropTable(
                name: "sheet_syncs");
        }
    }
}
