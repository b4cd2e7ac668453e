using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class StoredCustomerHistories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // What a shop's last refit read of its orders, folded by customer, for the next refit (Predictions/StoredHistories.cs).
            // The blocks are our own binary form, which PostgreSQL's compression would only slow down (EXTERNAL: kept out of line, uncompressed).
            migrationBuilder.Sql("""
                CREATE TABLE customer_history_snapshots (
                    shop_id bigint PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
                    erasures integer NOT NULL DEFAULT 0,
                    format integer,
                    read_snapshot text,
                    time_zone text,
                    folded_on date);
                CREATE TABLE customer_history_blocks (
                    shop_id bigint NOT NULL REFERENCES customer_history_snapshots (shop_id) ON DELETE CASCADE,
                    block integer NOT NULL,
                    data bytea NOT NULL,
                    PRIMARY KEY (shop_id, block));
                ALTER TABLE customer_history_blocks ALTER COLUMN data SET STORAGE EXTERNAL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE customer_history_blocks, customer_history_snapshots;");
        }
    }
}
