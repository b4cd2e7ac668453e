using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ListingsWithoutShopForeignKey : Migration
    {
        /// <summary>The shops_deleted trigger's function, deleting a deleted shop's listings too when <paramref name="withListings"/>.</summary>
        private static string DeleteShopRows(bool withListings) => $"""
            CREATE OR REPLACE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE shop bigint;
            BEGIN
                DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                {(withListings ? "DELETE FROM winback_listings WHERE shop_id IN (SELECT id FROM deleted_shops);" : "")}
                FOR shop IN SELECT id FROM deleted_shops LOOP
                    EXECUTE format('DELETE FROM customer_predictions WHERE shop_id = %s', shop);
                END LOOP;
                RETURN NULL;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Checking the key once per row was a third of recording a CSV download's 770,000 listings; a deleted shop's
            // listings now go with the shops_deleted trigger, as its orders and customers do.
            migrationBuilder.DropForeignKey(
                name: "fk_winback_listings_shops_shop_id",
                table: "winback_listings");
            migrationBuilder.Sql(DeleteShopRows(withListings: true));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The key is checked as it is added: listings of a shop deleted meanwhile (none are expected) go first.
            migrationBuilder.Sql(DeleteShopRows(withListings: false) + """

                DELETE FROM winback_listings l WHERE NOT EXISTS (SELECT 1 FROM shops s WHERE s.id = l.shop_id);
                """);
            migrationBuilder.AddForeignKey(
                name: "fk_winback_listings_shops_shop_id",
                table: "winback_listings",
                column: "shop_id",
                principalTable: "shops",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
