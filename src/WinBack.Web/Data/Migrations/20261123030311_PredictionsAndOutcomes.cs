using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionsAndOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_model_fits",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    fitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    data_through = table.Column<DateOnly>(type: "date", nullable: false),
                    customers = table.Column<int>(type: "integer", nullable: false),
                    repeat_customers = table.Column<int>(type: "integer", nullable: false),
                    r = table.Column<double>(type: "double precision", nullable: true),
                    alpha = table.Column<double>(type: "double precision", nullable: true),
                    a = table.Column<double>(type: "double precision", nullable: true),
                    b = table.Column<double>(type: "double precision", nullable: true),
                    log_likelihood = table.Column<double>(type: "double precision", nullable: true),
                    purchase_model_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    p = table.Column<double>(type: "double precision", nullable: true),
                    q = table.Column<double>(type: "double precision", nullable: true),
                    gamma = table.Column<double>(type: "double precision", nullable: true),
                    spend_model_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    seconds = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_model_fits", x => x.shop_id);
                    table.ForeignKey(
                        name: "fk_customer_model_fits_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_predictions",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    probability_alive = table.Column<double>(type: "double precision", nullable: true),
                    usual_interval_days = table.Column<double>(type: "double precision", nullable: true),
                    expected_next_order_on = table.Column<DateOnly>(type: "date", nullable: true),
                    predicted_value = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: true),
                    rfm_score = table.Column<short>(type: "smallint", nullable: false),
                    rfm_segment = table.Column<short>(type: "smallint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_predictions", x => new { x.shop_id, x.customer_id });
                    table.ForeignKey(
                        name: "fk_customer_predictions_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "winback_listings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    last_order_on = table.Column<DateOnly>(type: "date", nullable: false),
                    first_listed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    segment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    in_digest = table.Column<bool>(type: "boolean", nullable: false),
                    in_sheet = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_winback_listings", x => new { x.shop_id, x.customer_id, x.last_order_on });
                    table.ForeignKey(
                        name: "fk_winback_listings_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_winback_listings_listed",
                table: "winback_listings",
                columns: new[] { "shop_id", "first_listed_at" });

            // A refit replaces a shop's predictions: the report's cached figures must follow, as they follow customers.
            migrationBuilder.Sql("""
                CREATE TRIGGER customer_predictions_inserted AFTER INSERT ON customer_predictions
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customer_predictions_deleted AFTER DELETE ON customer_predictions
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER customer_predictions_inserted ON customer_predictions;
                DROP TRIGGER customer_predictions_deleted ON customer_predictions;
                """);
            migrationBuilder.DropTable(
                name: "customer_model_fits");

            migrationBuilder.DropTable(
                name: "customer_predictions");

            migrationBuilder.DropTable(
                name: "winback_listings");
        }
    }
}
