using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomersWithoutOrdersIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_customers_without_orders",
                table: "customers");

            migrationBuilder.CreateIndex(
                name: "ix_customers_without_orders",
                table: "customers",
                columns: new[] { "shop_id", "created_at", "id" },
                filter: "orders_count = 0")
                .Annotation("Npgsql:IndexInclude", new[] { "email_marketing_state" });

            // The list of customers without orders sorts by name and email too: the same expressions as the Initial
            // migration's ix_customers_name / ix_customers_email, over the other part of the table (EF cannot express them).
            migrationBuilder.Sql("""
                CREATE INDEX ix_customers_without_orders_name ON customers (shop_id, lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), id) WHERE orders_count = 0;
                CREATE INDEX ix_customers_without_orders_email ON customers (shop_id, lower(coalesce(email, '')), id) WHERE orders_count = 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_customers_without_orders_email; DROP INDEX ix_customers_without_orders_name;");

            migrationBuilder.DropIndex(
                name: "ix_customers_without_orders",
                table: "customers");

            migrationBuilder.CreateIndex(
                name: "ix_customers_without_orders",
                table: "customers",
                columns: new[] { "shop_id", "created_at", "id" },
                filter: "orders_count = 0");
        }
    }
}
