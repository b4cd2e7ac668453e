using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "shops",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    currency_code = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: true),
                    iana_timezone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    access_token_ciphertext = table.Column<string>(type: "text", nullable: true),
                    access_token_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refresh_token_ciphertext = table.Column<string>(type: "text", nullable: true),
                    refresh_token_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    scopes = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    installed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    uninstalled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    needs_reauthorization = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shops", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_receipts",
                columns: table => new
                {
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    webhook_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    event_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    topic = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    api_version = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    triggered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_receipts", x => new { x.shop_domain, x.webhook_id });
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    first_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    last_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    email_marketing_state = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    orders_count = table.Column<int>(type: "integer", nullable: false),
                    first_order_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_order_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    total_spent = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customers", x => new { x.shop_id, x.id });
                    table.ForeignKey(
                        name: "fk_customers_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: true),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    test = table.Column<bool>(type: "boolean", nullable: false),
                    current_total = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: false),
                    currency_code = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => new { x.shop_id, x.id });
                    table.ForeignKey(
                        name: "fk_orders_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "shop_settings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    inactivity_threshold_weeks = table.Column<int>(type: "integer", nullable: false),
                    high_value_rule = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    high_value_percentile = table.Column<int>(type: "integer", nullable: false),
                    high_value_amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shop_settings", x => x.shop_id);
                    table.CheckConstraint("ck_shop_settings_percentile", "high_value_percentile BETWEEN 1 AND 99");
                    table.CheckConstraint("ck_shop_settings_threshold", "inactivity_threshold_weeks BETWEEN 1 AND 104");
                    table.ForeignKey(
                        name: "fk_shop_settings_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sync_states",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    resource = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    bulk_operation_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    objects_done = table.Column<long>(type: "bigint", nullable: false),
                    objects_expected = table.Column<long>(type: "bigint", nullable: true),
                    watermark = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sync_states", x => new { x.shop_id, x.resource });
                    table.ForeignKey(
                        name: "fk_sync_states_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_customers_inactive",
                table: "customers",
                columns: new[] { "shop_id", "last_order_at", "id" },
                filter: "orders_count > 0")
                .Annotation("Npgsql:IndexInclude", new[] { "total_spent" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_total_spent",
                table: "customers",
                columns: new[] { "shop_id", "total_spent" },
                descending: new[] { false, true },
                filter: "orders_count > 0");

            migrationBuilder.CreateIndex(
                name: "ix_customers_without_orders",
                table: "customers",
                columns: new[] { "shop_id", "created_at" },
                filter: "orders_count = 0");

            migrationBuilder.CreateIndex(
                name: "ix_orders_customer_qualifying",
                table: "orders",
                columns: new[] { "shop_id", "customer_id", "processed_at" },
                filter: "NOT test AND cancelled_at IS NULL AND customer_id IS NOT NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "current_total" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_updated",
                table: "orders",
                columns: new[] { "shop_id", "updated_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shops_domain",
                table: "shops",
                column: "domain",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_webhook_receipts_event",
                table: "webhook_receipts",
                columns: new[] { "shop_domain", "event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_receipts_pending",
                table: "webhook_receipts",
                columns: new[] { "status", "received_at" },
                filter: "status <> 'Processed'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "customers");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "shop_settings");

            migrationBuilder.DropTable(
                name: "sync_states");

            migrationBuilder.DropTable(
                name: "webhook_receipts");

            migrationBuilder.DropTable(
                name: "shops");
        }
    }
}
