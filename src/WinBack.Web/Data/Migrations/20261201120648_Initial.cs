using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_data_requests",
                columns: table => new
                {
                    shop_domain = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    downloaded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    export = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_data_requests", x => new { x.shop_domain, x.id });
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    first_name = table.Column<string>(type: "text", nullable: true),
                    last_name = table.Column<string>(type: "text", nullable: true),
                    email = table.Column<string>(type: "text", nullable: true),
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
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "order_line_items",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    order_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    product_id = table.Column<long>(type: "bigint", nullable: true),
                    title = table.Column<string>(type: "text", nullable: false),
                    quantity = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_line_items", x => new { x.shop_id, x.order_id, x.id });
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: true),
                    name = table.Column<string>(type: "text", nullable: false),
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
                });

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
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_receipts", x => new { x.shop_domain, x.webhook_id });
                });

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
                    purchase_model = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    purchase_parameters = table.Column<double[]>(type: "double precision[]", nullable: true),
                    purchase_standard_errors = table.Column<double[]>(type: "double precision[]", nullable: true),
                    purchase_model_choice = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    returning_in4weeks = table.Column<double[]>(type: "double precision[]", nullable: true),
                    returning_in13weeks = table.Column<double[]>(type: "double precision[]", nullable: true),
                    p = table.Column<double>(type: "double precision", nullable: true),
                    q = table.Column<double>(type: "double precision", nullable: true),
                    gamma = table.Column<double>(type: "double precision", nullable: true),
                    spend_model_note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    rfm_recency_cuts = table.Column<double[]>(type: "double precision[]", nullable: true),
                    rfm_frequency_cuts = table.Column<double[]>(type: "double precision[]", nullable: true),
                    rfm_monetary_cuts = table.Column<double[]>(type: "double precision[]", nullable: true),
                    rfm_moved_in = table.Column<int[]>(type: "integer[]", nullable: true),
                    rfm_moved_out = table.Column<int[]>(type: "integer[]", nullable: true),
                    rfm_compared_with = table.Column<DateOnly>(type: "date", nullable: true),
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
                    overdue_on = table.Column<DateOnly>(type: "date", nullable: true),
                    last_order_on = table.Column<DateOnly>(type: "date", nullable: false),
                    expected_next_order_on = table.Column<DateOnly>(type: "date", nullable: true),
                    predicted_value = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: true),
                    rfm_score = table.Column<short>(type: "smallint", nullable: false),
                    rfm_segment = table.Column<short>(type: "smallint", nullable: false),
                    rfm_segment_at_refit = table.Column<short>(type: "smallint", nullable: true)
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
                name: "customer_tags",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    tag = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_tags", x => new { x.shop_id, x.customer_id });
                    table.ForeignKey(
                        name: "fk_customer_tags_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "digest_deliveries",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    period = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    claimed_by = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    recipients = table.Column<List<string>>(type: "text[]", nullable: false),
                    claimed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    attempt_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    give_up_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    figures = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_digest_deliveries", x => new { x.shop_id, x.kind, x.period });
                    table.ForeignKey(
                        name: "fk_digest_deliveries_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "digest_settings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    recipients = table.Column<List<string>>(type: "text[]", nullable: false),
                    day = table.Column<int>(type: "integer", nullable: false),
                    hour = table.Column<int>(type: "integer", nullable: false),
                    attach_csv = table.Column<bool>(type: "boolean", nullable: false),
                    alerts_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_digest_settings", x => x.shop_id);
                    table.CheckConstraint("ck_digest_settings_hour", "hour BETWEEN 0 AND 23");
                    table.ForeignKey(
                        name: "fk_digest_settings_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

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

            migrationBuilder.CreateTable(
                name: "retention_snapshots",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    week_start = table.Column<DateOnly>(type: "date", nullable: false),
                    active = table.Column<int>(type: "integer", nullable: false),
                    inactive = table.Column<int>(type: "integer", nullable: false),
                    threshold_weeks = table.Column<int>(type: "integer", nullable: false),
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
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    verification_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    verification_code_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    redactions_requested = table.Column<long>(type: "bigint", nullable: false),
                    redactions_applied = table.Column<long>(type: "bigint", nullable: false)
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
                name: "shop_settings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    inactivity_threshold_weeks = table.Column<int>(type: "integer", nullable: false),
                    high_value_rule = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    high_value_percentile = table.Column<int>(type: "integer", nullable: false),
                    high_value_amount = table.Column<decimal>(type: "numeric(19,4)", precision: 19, scale: 4, nullable: true),
                    retention_months = table.Column<int>(type: "integer", nullable: true),
                    control_group_on = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    control_group_salt = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    report_columns = table.Column<string[]>(type: "text[]", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shop_settings", x => x.shop_id);
                    table.CheckConstraint("ck_shop_settings_percentile", "high_value_percentile BETWEEN 1 AND 99");
                    table.CheckConstraint("ck_shop_settings_retention", "retention_months BETWEEN 6 AND 120");
                    table.CheckConstraint("ck_shop_settings_threshold", "inactivity_threshold_weeks BETWEEN 1 AND 104");
                    table.ForeignKey(
                        name: "fk_shop_settings_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "shopify_taggings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    last_run_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    tagged_customers = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_shopify_taggings", x => x.shop_id);
                    table.ForeignKey(
                        name: "fk_shopify_taggings_shops_shop_id",
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

            migrationBuilder.CreateTable(
                name: "winback_listings",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    last_order_on = table.Column<DateOnly>(type: "date", nullable: false),
                    first_listed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    segment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    channels = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    control = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false)
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

            migrationBuilder.CreateTable(
                name: "scheduled_reports",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    saved_view_id = table.Column<long>(type: "bigint", nullable: false),
                    frequency = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    day = table.Column<int>(type: "integer", nullable: false),
                    hour = table.Column<int>(type: "integer", nullable: false),
                    recipients = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    last_error_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scheduled_reports", x => new { x.shop_id, x.id });
                    table.CheckConstraint("ck_scheduled_reports_hour", "hour BETWEEN 0 AND 23");
                    table.ForeignKey(
                        name: "fk_scheduled_reports_saved_views_shop_id_saved_view_id",
                        columns: x => new { x.shop_id, x.saved_view_id },
                        principalTable: "saved_views",
                        principalColumns: new[] { "shop_id", "id" },
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

            migrationBuilder.CreateIndex(
                name: "ix_customer_predictions_without_cycle",
                table: "customer_predictions",
                columns: new[] { "shop_id", "last_order_on" },
                filter: "overdue_on IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_customers_inactive",
                table: "customers",
                columns: new[] { "shop_id", "last_order_at", "id" },
                filter: "orders_count > 0")
                .Annotation("Npgsql:IndexInclude", new[] { "total_spent" });

            migrationBuilder.CreateIndex(
                name: "ix_customers_orders_count",
                table: "customers",
                columns: new[] { "shop_id", "orders_count", "id" },
                filter: "orders_count > 0");

            migrationBuilder.CreateIndex(
                name: "ix_customers_total_spent",
                table: "customers",
                columns: new[] { "shop_id", "total_spent", "id" },
                filter: "orders_count > 0");

            migrationBuilder.CreateIndex(
                name: "ix_customers_without_orders",
                table: "customers",
                columns: new[] { "shop_id", "created_at", "id" },
                filter: "orders_count = 0")
                .Annotation("Npgsql:IndexInclude", new[] { "email_marketing_state" });

            migrationBuilder.CreateIndex(
                name: "ix_digest_deliveries_unfinished",
                table: "digest_deliveries",
                column: "status",
                filter: "status IN ('Sending', 'Retrying')");

            migrationBuilder.CreateIndex(
                name: "ix_order_line_items_product",
                table: "order_line_items",
                columns: new[] { "shop_id", "product_id" });

            migrationBuilder.CreateIndex(
                name: "ix_orders_customer_qualifying",
                table: "orders",
                columns: new[] { "shop_id", "customer_id", "processed_at" },
                filter: "NOT test AND cancelled_at IS NULL AND customer_id IS NOT NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "current_total" });

            migrationBuilder.CreateIndex(
                name: "ix_saved_views_shop_id_name",
                table: "saved_views",
                columns: new[] { "shop_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_reports_shop_id_saved_view_id",
                table: "scheduled_reports",
                columns: new[] { "shop_id", "saved_view_id" });

            migrationBuilder.CreateIndex(
                name: "ix_sheet_syncs_spreadsheet_id_tab_name",
                table: "sheet_syncs",
                columns: new[] { "spreadsheet_id", "tab_name" },
                filter: "verified_at IS NOT NULL");

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
                column: "received_at",
                filter: "status = 'Received'");

            migrationBuilder.CreateIndex(
                name: "ix_winback_listings_listed",
                table: "winback_listings",
                columns: new[] { "shop_id", "first_listed_at" });

            // What EF cannot express, written once here (the schema the first waves' 26 migrations built, squashed):
            // the report's data version (statement triggers on customers and predictions, applied at commit), the shop
            // deletion trigger, the expression indexes of the report's sorts, and the Sheets quota's slots.
            migrationBuilder.Sql("""
                -- No foreign key: the trigger also fires while a shop's customers are deleted with the shop.
                CREATE TABLE report_data_versions (
                    shop_id bigint PRIMARY KEY,
                    version bigint NOT NULL);

                CREATE TABLE report_data_version_bumps (
                    shop_id bigint NOT NULL,
                    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id());

                CREATE FUNCTION bump_report_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO report_data_version_bumps (shop_id) SELECT DISTINCT shop_id FROM changed_rows;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION apply_report_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM report_data_version_bumps WHERE shop_id = NEW.shop_id AND transaction_id = NEW.transaction_id;
                    IF FOUND THEN
                        INSERT INTO report_data_versions AS v (shop_id, version) VALUES (NEW.shop_id, 1)
                        ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE CONSTRAINT TRIGGER report_data_version_bump_at_commit AFTER INSERT ON report_data_version_bumps
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION apply_report_data_version_bump();

                CREATE TRIGGER customers_inserted AFTER INSERT ON customers
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customers_updated AFTER UPDATE ON customers
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customers_deleted AFTER DELETE ON customers
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customer_predictions_inserted AFTER INSERT ON customer_predictions
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customer_predictions_deleted AFTER DELETE ON customer_predictions
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();

                -- Shop data has no per-row foreign key to shops: one statement deletes a shop's rows.
                CREATE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER shops_deleted AFTER DELETE ON shops
                    REFERENCING OLD TABLE AS deleted_shops FOR EACH STATEMENT EXECUTE FUNCTION delete_shop_rows();

                -- The report's name and email sorts (InactiveCustomersQuery) page through these expressions, and its
                -- prediction sorts through these, which carry the scored last order date.
                CREATE INDEX ix_customers_name ON customers (shop_id, lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), id) WHERE orders_count > 0;
                CREATE INDEX ix_customers_email ON customers (shop_id, lower(coalesce(email, '')), id) WHERE orders_count > 0;
                -- The list of customers without orders sorts by the same expressions, over the other part of the table.
                CREATE INDEX ix_customers_without_orders_name ON customers (shop_id, lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), id) WHERE orders_count = 0;
                CREATE INDEX ix_customers_without_orders_email ON customers (shop_id, lower(coalesce(email, '')), id) WHERE orders_count = 0;
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id) INCLUDE (last_order_on);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id) INCLUDE (last_order_on);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (last_order_on);

                -- Google's write quota is one for every shop: each write takes a slot (SheetsWriteLimiter).
                CREATE TABLE sheets_write_slots (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    service_account text NOT NULL,
                    taken_at timestamptz NOT NULL);
                CREATE INDEX ix_sheets_write_slots ON sheets_write_slots (service_account, taken_at);

                -- Counters and switches that start at zero or off when a statement does not name them.
                ALTER TABLE webhook_receipts ALTER COLUMN attempts SET DEFAULT 0;
                ALTER TABLE digest_deliveries ALTER COLUMN attempts SET DEFAULT 0;
                ALTER TABLE digest_settings ALTER COLUMN alerts_enabled SET DEFAULT false;
                ALTER TABLE retention_snapshots ALTER COLUMN threshold_weeks SET DEFAULT 0;
                ALTER TABLE sheet_syncs ALTER COLUMN redactions_applied SET DEFAULT 0;
                ALTER TABLE sheet_syncs ALTER COLUMN redactions_requested SET DEFAULT 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE sheets_write_slots;
                DROP TRIGGER shops_deleted ON shops;
                DROP FUNCTION delete_shop_rows();
                DROP TABLE report_data_version_bumps;
                DROP TABLE report_data_versions;
                DROP TRIGGER customers_inserted ON customers;
                DROP TRIGGER customers_updated ON customers;
                DROP TRIGGER customers_deleted ON customers;
                DROP TRIGGER customer_predictions_inserted ON customer_predictions;
                DROP TRIGGER customer_predictions_deleted ON customer_predictions;
                DROP FUNCTION apply_report_data_version_bump();
                DROP FUNCTION bump_report_data_version();
                """);

            migrationBuilder.DropTable(
                name: "customer_data_requests");

            migrationBuilder.DropTable(
                name: "customer_model_fits");

            migrationBuilder.DropTable(
                name: "customer_predictions");

            migrationBuilder.DropTable(
                name: "customer_tags");

            migrationBuilder.DropTable(
                name: "customers");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "digest_deliveries");

            migrationBuilder.DropTable(
                name: "digest_settings");

            migrationBuilder.DropTable(
                name: "model_track_records");

            migrationBuilder.DropTable(
                name: "order_line_items");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "retention_snapshots");

            migrationBuilder.DropTable(
                name: "scheduled_reports");

            migrationBuilder.DropTable(
                name: "sheet_listings");

            migrationBuilder.DropTable(
                name: "shop_settings");

            migrationBuilder.DropTable(
                name: "shopify_taggings");

            migrationBuilder.DropTable(
                name: "sync_states");

            migrationBuilder.DropTable(
                name: "webhook_receipts");

            migrationBuilder.DropTable(
                name: "winback_listings");

            migrationBuilder.DropTable(
                name: "saved_views");

            migrationBuilder.DropTable(
                name: "sheet_syncs");

            migrationBuilder.DropTable(
                name: "shops");
        }
    }
}
