using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <summary>
    /// What changed among a shop's customers since a snapshot, without reading every customer (Predictions/CustomerChanges.cs):
    /// the customers whose rollups a later transaction changed, by an index on the mark those transactions leave
    /// (<c>rollups_changed_xid</c>), and the customers deleted since, which leave no row to mark, logged by a trigger in
    /// <c>customer_deletions</c>. A refit reads both for its catch-up, and the next refit for what it kept of this one's read.
    /// </summary>
    /// <remarks>
    /// A deleted shop (shop/redact) also left its report data version behind: deleting its customers bumped the version
    /// at commit, after the shop's row was gone, and the bump made the row again. The bump now passes over shops that
    /// are gone, and the shop's deletion takes its version with its other rows: last, after the scores, whose writers
    /// bump the version as they commit (taken first, the version's row would make such a writer and the deletion wait on
    /// each other). It empties the shop's log of deleted customers after its customers: a deletion of customers that
    /// committed meanwhile has logged its own.
    /// </remarks>
    public partial class CustomerChangesIndexed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The log has no key to customers (their rows are gone), nor to shops, like customers themselves: a deletion
            // would wait for a shop's deletion under way, which waits for its customers. The shops_deleted trigger empties
            // it; the customers it deletes after the shop's row are not logged.
            // What refits kept before deletions were logged is dropped: a customer deleted since would be taken as kept.
            migrationBuilder.Sql("""
                CREATE INDEX ix_customers_rollups_changed ON customers (shop_id, rollups_changed_xid);
                CREATE TABLE customer_deletions (
                    shop_id bigint NOT NULL,
                    customer_id bigint NOT NULL,
                    deleted_xid xid8 NOT NULL);
                CREATE INDEX ix_customer_deletions ON customer_deletions (shop_id, deleted_xid);
                CREATE FUNCTION log_customer_deletions() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO customer_deletions (shop_id, customer_id, deleted_xid)
                    SELECT d.shop_id, d.id, pg_current_xact_id() FROM deleted_customers d
                    WHERE EXISTS (SELECT 1 FROM shops s WHERE s.id = d.shop_id);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER customers_deleted_logged AFTER DELETE ON customers
                    REFERENCING OLD TABLE AS deleted_customers FOR EACH STATEMENT EXECUTE FUNCTION log_customer_deletions();
                UPDATE customer_history_snapshots SET format = NULL, read_snapshot = NULL, time_zone = NULL, folded_on = NULL;
                DELETE FROM customer_history_blocks;
                DELETE FROM report_data_versions v WHERE NOT EXISTS (SELECT 1 FROM shops s WHERE s.id = v.shop_id);
                """);
            migrationBuilder.Sql(Functions(asBefore: false));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Functions(asBefore: true));
            migrationBuilder.Sql("""
                DROP TRIGGER customers_deleted_logged ON customers;
                DROP FUNCTION log_customer_deletions();
                DROP TABLE customer_deletions;
                DROP INDEX ix_customers_rollups_changed;
                """);
        }

        /// <summary>
        /// The version's bump at commit (with the alert's quiet day, AlertQuietDay) and the shops_deleted trigger's function
        /// (ListingsWithoutShopForeignKey); as they were before this migration when <paramref name="asBefore"/>.
        /// </summary>
        private static string Functions(bool asBefore) => $$"""
            CREATE OR REPLACE FUNCTION apply_report_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM report_data_version_bumps WHERE shop_id = NEW.shop_id AND transaction_id = NEW.transaction_id;
                IF FOUND {{(asBefore ? "" : "AND EXISTS (SELECT 1 FROM shops WHERE id = NEW.shop_id) ")}}THEN
                    INSERT INTO report_data_versions AS v (shop_id, version) VALUES (NEW.shop_id, 1)
                    ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
                    UPDATE digest_settings SET alert_quiet_day = NULL WHERE shop_id = NEW.shop_id AND alert_quiet_day IS NOT NULL;
                END IF;
                RETURN NULL;
            END $$;
            CREATE OR REPLACE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE shop bigint;
            BEGIN
                DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                DELETE FROM winback_listings WHERE shop_id IN (SELECT id FROM deleted_shops);
                {{(asBefore ? "" : "DELETE FROM customer_deletions WHERE shop_id IN (SELECT id FROM deleted_shops);")}}
                FOR shop IN SELECT id FROM deleted_shops LOOP
                    EXECUTE format('DELETE FROM customer_predictions WHERE shop_id = %s', shop);
                END LOOP;
                {{(asBefore ? "" : "DELETE FROM report_data_versions WHERE shop_id IN (SELECT id FROM deleted_shops);")}}
                RETURN NULL;
            END $$;
            """;
    }
}
