using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class RedactedCustomers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "redacted_customers",
                columns: table => new
                {
                    shop_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    redacted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_redacted_customers", x => new { x.shop_id, x.customer_id });
                    table.ForeignKey(
                        name: "fk_redacted_customers_shops_shop_id",
                        column: x => x.shop_id,
                        principalTable: "shops",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The one home of "was this customer redacted?" for every SQL write of customers and orders (SyncWriter,
            // BulkImporter); a SQL function, which the planner inlines.
            migrationBuilder.Sql("""
                CREATE FUNCTION is_redacted_customer(shop bigint, customer bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
                    SELECT EXISTS (SELECT 1 FROM redacted_customers r WHERE r.shop_id = shop AND r.customer_id = customer)
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION is_redacted_customer(bigint, bigint);");
            migrationBuilder.DropTable(
                name: "redacted_customers");
        }
    }
}
