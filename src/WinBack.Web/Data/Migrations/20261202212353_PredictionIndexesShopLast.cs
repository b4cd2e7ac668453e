using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PredictionIndexesShopLast : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The scores' indexes lead with what they sort by and carry shop_id as their last key: each partition holds
            // one shop, so leading with it made every comparison of a refit's index build pass an equal shop_id first
            // (PostgreSQL's sort abbreviates only the first key column). Last, it is never compared (customer_id before it
            // is unique) and the shop's condition stays a condition of the index. The queries are unchanged.
            migrationBuilder.Sql(Replace(
                "(scored_last_order_at, customer_id, shop_id)",
                "(coalesce(probability_alive, 2), customer_id, shop_id)",
                "(coalesce(predicted_value, -1), customer_id, shop_id)",
                "(coalesce(overdue_on, 'infinity'), customer_id, shop_id)"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Replace(
                "(shop_id, scored_last_order_at, customer_id)",
                "(shop_id, coalesce(probability_alive, 2), customer_id)",
                "(shop_id, coalesce(predicted_value, -1), customer_id)",
                "(shop_id, coalesce(overdue_on, 'infinity'), customer_id)"));
        }

        /// <summary>
        /// The new indexes are built first, under a lock that lets every shop's report read its scores (writes wait, and
        /// webhooks' rescoring backs off and comes back); the old ones are dropped at the end, which waits for the reads
        /// under way and holds new ones until the migration commits.
        /// </summary>
        private static string Replace(string lastOrderKey, string probabilityAliveKey, string predictedValueKey, string overdueOnKey) => $"""
            CREATE INDEX ix_customer_predictions_last_order_next ON customer_predictions {lastOrderKey} INCLUDE (overdue_on, probability_alive, rfm_segment, predicted_value);
            CREATE INDEX ix_customer_predictions_probability_alive_sort_next ON customer_predictions {probabilityAliveKey} INCLUDE (scored_last_order_at, probability_alive);
            CREATE INDEX ix_customer_predictions_predicted_value_sort_next ON customer_predictions {predictedValueKey} INCLUDE (scored_last_order_at, predicted_value);
            CREATE INDEX ix_customer_predictions_overdue_on_sort_next ON customer_predictions {overdueOnKey} INCLUDE (scored_last_order_at, overdue_on);
            DROP INDEX ix_customer_predictions_last_order, ix_customer_predictions_probability_alive_sort, ix_customer_predictions_predicted_value_sort,
                ix_customer_predictions_overdue_on_sort;
            ALTER INDEX ix_customer_predictions_last_order_next RENAME TO ix_customer_predictions_last_order;
            ALTER INDEX ix_customer_predictions_probability_alive_sort_next RENAME TO ix_customer_predictions_probability_alive_sort;
            ALTER INDEX ix_customer_predictions_predicted_value_sort_next RENAME TO ix_customer_predictions_predicted_value_sort;
            ALTER INDEX ix_customer_predictions_overdue_on_sort_next RENAME TO ix_customer_predictions_overdue_on_sort;
            """;
    }
}
