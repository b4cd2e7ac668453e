using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionIndexesKeyedBySort : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The scores' indexes are keyed by their sort, carrying shop_id instead of leading with it: a partition holds one
            // shop, and a leading shop_id, equal in every entry, made each refit's index build compare past it
            // (CustomerPredictionConfiguration). Built here on every shop's partition, under the scores' table lock: the
            // report's prediction views and the webhooks' rescoring wait while this migration runs (about 5 s per million
            // scores). It waits at most 5 s for that lock, so a long read of the scores (an export) fails it instead of
            // queueing every shop's queries behind it; it can be run again. One transaction locks each partition and its
            // old and new indexes: with more than about 600 shops with a fit, raise max_locks_per_transaction for it.
            migrationBuilder.Sql("""
                SET LOCAL lock_timeout = '5s';
                DROP INDEX ix_customer_predictions_last_order, ix_customer_predictions_probability_alive_sort,
                    ix_customer_predictions_predicted_value_sort, ix_customer_predictions_overdue_on_sort;
                CREATE INDEX ix_customer_predictions_last_order ON customer_predictions (scored_last_order_at, customer_id)
                    INCLUDE (shop_id, overdue_on, probability_alive, rfm_segment, predicted_value);
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (coalesce(probability_alive, 2), customer_id) INCLUDE (shop_id, scored_last_order_at, probability_alive);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (coalesce(predicted_value, -1), customer_id) INCLUDE (shop_id, scored_last_order_at, predicted_value);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (shop_id, scored_last_order_at, overdue_on);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_customer_predictions_last_order, ix_customer_predictions_probability_alive_sort,
                    ix_customer_predictions_predicted_value_sort, ix_customer_predictions_overdue_on_sort;
                CREATE INDEX ix_customer_predictions_last_order ON customer_predictions (shop_id, scored_last_order_at, customer_id)
                    INCLUDE (overdue_on, probability_alive, rfm_segment, predicted_value);
                CREATE INDEX ix_customer_predictions_probability_alive_sort ON customer_predictions (shop_id, coalesce(probability_alive, 2), customer_id) INCLUDE (scored_last_order_at, probability_alive);
                CREATE INDEX ix_customer_predictions_predicted_value_sort ON customer_predictions (shop_id, coalesce(predicted_value, -1), customer_id) INCLUDE (scored_last_order_at, predicted_value);
                CREATE INDEX ix_customer_predictions_overdue_on_sort ON customer_predictions (shop_id, coalesce(overdue_on, 'infinity'), customer_id) INCLUDE (scored_last_order_at, overdue_on);
                """);
        }
    }
}
