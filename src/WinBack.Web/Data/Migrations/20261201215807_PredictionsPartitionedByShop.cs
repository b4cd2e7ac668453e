using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionsPartitionedByShop : Migration
    {
        /// <summary>The scores' key, indexes and report data version triggers: on the partitioned table up, on the plain one down.</summary>
        private const string KeyIndexesAndTriggers = """
                ALTER TABLE customer_predictions ADD CONSTRAINT pk_customer_predictions PRIMARY KEY (shop_id, customer_id);
                CREATE INDEX ix_customer_predictions_last_order ON customer_predictions (shop_id, scored_last_order_at, customer_id)
                    INCLUDE (overdue_on, probability_alive, rfm_segment, predicted_value);
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id) INCLUDE (scored_last_order_at, probability_alive);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id) INCLUDE (scored_last_order_at, predicted_value);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (scored_last_order_at, overdue_on);
                CREATE TRIGGER customer_predictions_inserted AFTER INSERT ON customer_predictions
                    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
                CREATE TRIGGER customer_predictions_deleted AFTER DELETE ON customer_predictions
                    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION bump_report_data_version();
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_customer_predictions_shops_shop_id",
                table: "customer_predictions");

            // The scores get a partition per shop, named customer_predictions_<shop id> (CustomerPredictionPartitions): a
            // refit builds the shop's next partition aside (COPY into a table without indexes, then each index built in one
            // sort) and swaps it in, instead of replacing a million rows in place through five indexes. Every shop that has
            // a fit gets its partition now (its rescorings write there); other shops get theirs with their first refit.
            // A deleted shop's rows go with the shops_deleted trigger, as its customers' do. One transaction holds a lock on
            // each partition and its five indexes: a database with more than about a thousand shops with a fit needs
            // max_locks_per_transaction raised for this migration (it fails whole otherwise, and can be run again).
            migrationBuilder.Sql("""
                DROP INDEX ix_customer_predictions_last_order, ix_customer_predictions_probability_alive_sort,
                    ix_customer_predictions_predicted_value_sort, ix_customer_predictions_overdue_on_sort;
                ALTER TABLE customer_predictions DROP CONSTRAINT pk_customer_predictions;
                DROP TRIGGER customer_predictions_inserted ON customer_predictions;
                DROP TRIGGER customer_predictions_deleted ON customer_predictions;
                ALTER TABLE customer_predictions RENAME TO customer_predictions_unpartitioned;

                CREATE TABLE customer_predictions (LIKE customer_predictions_unpartitioned INCLUDING DEFAULTS) PARTITION BY LIST (shop_id);
                """ + KeyIndexesAndTriggers + """
                DO $$
                DECLARE shop bigint;
                BEGIN
                    FOR shop IN SELECT shop_id FROM customer_model_fits UNION SELECT DISTINCT shop_id FROM customer_predictions_unpartitioned LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF customer_predictions FOR VALUES IN (%s)', 'customer_predictions_' || shop, shop);
                    END LOOP;
                END $$;
                INSERT INTO customer_predictions SELECT * FROM customer_predictions_unpartitioned
                    WHERE shop_id IN (SELECT id FROM shops);
                DROP TABLE customer_predictions_unpartitioned;

                -- Each shop's scores by its id as a constant: PostgreSQL then plans (and locks) that shop's partition only,
                -- not every partition of every shop.
                CREATE OR REPLACE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE shop bigint;
                BEGIN
                    DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                    FOR shop IN SELECT id FROM deleted_shops LOOP
                        EXECUTE format('DELETE FROM customer_predictions WHERE shop_id = %s', shop);
                    END LOOP;
                    RETURN NULL;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION delete_shop_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM order_line_items WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM orders WHERE shop_id IN (SELECT id FROM deleted_shops);
                    DELETE FROM customers WHERE shop_id IN (SELECT id FROM deleted_shops);
                    RETURN NULL;
                END $$;

                ALTER TABLE customer_predictions RENAME TO customer_predictions_partitioned;
                CREATE TABLE customer_predictions (LIKE customer_predictions_partitioned INCLUDING DEFAULTS);
                INSERT INTO customer_predictions SELECT * FROM customer_predictions_partitioned;
                DROP TABLE customer_predictions_partitioned;
                """ + KeyIndexesAndTriggers);
            migrationBuilder.AddForeignKey(
                name: "fk_customer_predictions_shops_shop_id",
                table: "customer_predictions",
                column: "shop_id",
                principalTable: "shops",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
