namespace WinBack.Web.Sync;

/// <summary>
/// PRODUCT.md's qualifying order: not a test, not cancelled, has a customer. Only these count toward a customer's
/// rollups, the reports, the predictions and the win-back outcomes; every query composes this one condition, and the
/// partial index <c>ix_orders_customer_qualifying</c> is filtered by it, so each of them can read that index.
/// </summary>
public static class QualifyingOrders
{
    /// <summary>
    /// The rule as a SQL condition on <c>orders</c>. Its columns are unqualified: it goes where <c>orders</c> is the only
    /// (or innermost) table with a <c>test</c>, <c>cancelled_at</c> or <c>customer_id</c> column. A constant, so a query
    /// that composes it stays constant text for EF's SQL-injection check.
    /// </summary>
    public const string Sql = "NOT test AND cancelled_at IS NULL AND customer_id IS NOT NULL";
}
