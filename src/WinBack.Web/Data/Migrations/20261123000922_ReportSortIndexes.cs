using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customers_total_spent",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_without_orders",
                table: "customers");

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
                filter: "orders_count = 0");

            // The name and email sorts of the report (InactiveCustomersQuery) page through these expressions.
            migrationBuilder.Sql("""
                CREATE INDEX ix_customers_name ON customers (shop_id, lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), id) WHERE orders_count > 0;
                CREATE INDEX ix_customers_email ON customers (shop_id, lower(coalesce(email, '')), id) WHERE orders_count > 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_customers_name; DROP INDEX ix_customers_email;");
            migrationBuilder.DropIndex(
                name: "ix_customers_orders_count",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_total_spent",
                table: "customers");

            migrationBuilder.DropIndex(
                name: "ix_customers_without_orders",
                table: "customers");

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
        }
    }
}
