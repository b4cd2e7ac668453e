using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryOutboxStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "attempt_started_at",
                table: "digest_deliveries",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "digest_deliveries",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "give_up_at",
                table: "digest_deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "digest_deliveries",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "next_attempt_at",
                table: "digest_deliveries",
                type: "timestamp with time zone",
                nullable: true);

            // Rows from before the outbox: one attempt, started when claimed. A scheduled email still Sending gets two days
            // from its claim, so the dispatcher sends it again (under its Message-Id) or abandons it instead of leaving it stuck.
            migrationBuilder.Sql("""
                UPDATE digest_deliveries SET attempts = 1, attempt_started_at = claimed_at,
                    give_up_at = CASE WHEN status = 'Sending' AND kind <> 'test-digest' THEN claimed_at + interval '2 days' END
                """);

            migrationBuilder.CreateIndex(
                name: "ix_digest_deliveries_unfinished",
                table: "digest_deliveries",
                column: "status",
                filter: "status IN ('Sending', 'Retrying')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_digest_deliveries_unfinished",
                table: "digest_deliveries");

            migrationBuilder.DropColumn(
                name: "attempt_started_at",
                table: "digest_deliveries");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "digest_deliveries");

            migrationBuilder.DropColumn(
                name: "give_up_at",
                table: "digest_deliveries");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "digest_deliveries");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                table: "digest_deliveries");
        }
    }
}
