using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ShopRowsWithoutPerRowKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_customers_shops_shop_id",
                table: "customers");

            migrationBuilder.DropForeignKey(
                name: "fk_orders_shops_shop_id",
                table: "orders");

            // What the cascade did, once per DELETE statement on shops instead of a key check per inserted row:
            // a first load COPYs millions of orders, and their per-row check cost as much as the COPY itself.
            migrationBuilder.Sql("""
                CREATE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                    RETURN NULL;
                END $$;

                CREATE TRIGGER shops_deleted AFTER DELETE ON shops
                    REFERENCING OLD TABLE AS deleted_shops FOR EACH STATEMENT EXECUTE FUNCTION delete_shop_rows();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER shops_deleted ON shops;
                DROP FUNCTION delete_shop_rows();
                """);

            migrationBuilder.AddForeignKey(
                name: "fk_customers_shops_shop_id",
                table: "customers",
                column: "shop_id",
                principalTable: "shops",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_orders_shops_shop_id",
                table: "orders",
                column: "shop_id",
                principalTable: "shops",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
