using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportsAndSavedViews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "retention_snapshots",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    week_start = table.Column<DateOnly>(type: "date", nullable: false),
                    active = table.Column<int>(type: "integer", nullable: false),
                    inactive = table.Column<int>(type: "integer", nullable: false),
                    taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_retention_snapshots", x => new { x.shop_id, x.week_start });
                    table.ForeignKey(
                        name: "fk_retention_snapshots_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "saved_views",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    name = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    query = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_saved_views", x => new { x.shop_id, x.id });
                    table.ForeignKey(
                        name: "fk_saved_views_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_saved_views_shop_id_name",
                table: "saved_views",
                columns: new[] { "shop_id", "name" },
                unique: true);
            // Every change to a shop's customers (rows or rollups, by any writer) bumps the shop's report data version,
            // under which the report caches its counts: a cached figure is never older than the rows shown beside it.
            migrationBuilder.Sql("""
                -- No foreign key: the trigger also fires while a shop's customers are deleted with the shop.
                CREATE TABLE report_data_versions (
                    shop_id bigint PRIMARY KEY,
                    version bigint NOT NULL);

                CREATE FUNCTION bump_report_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO report_data_versions AS v (shop_id, version)
                    SELECT DISTINCT shop_id, 1 FROM changed_rows
                    ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
                    RETURN NULL;
                END $$;

                CREATE TRIGGER customers_inserted AFTER INSERT ON customers
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customers_updated AFTER UPDATE ON customers
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customers_deleted AFTER DELETE ON customers
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER customers_inserted ON customers;
                DROP TRIGGER customers_updated ON customers;
                DROP TRIGGER customers_deleted ON customers;
                DROP FUNCTION bump_report_data_version();
                DROP TABLE report_data_versions;
                """);
            migrationBuilder.DropTable(
                name: "retention_snapshots");

            migrationBuilder.DropTable(
                name: "saved_views");
        }
    }
}
