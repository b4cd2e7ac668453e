namespace WinBack.Web.Sync;

/// <summary>
/// PRODUCT.md's qualifying order: not a test, not cancelled, has a customer. Only these count toward a customer's
/// rollups, the reports, the predictions and the win-back outcomes; every query composes this one condition, and the
/// partial index <c>ix_orders_customer_qualifying</c> is filtered by it, so each of them can read that index.
/// </summary>
public static class QualifyingOrders
{
    /// <summary>The rule as a SQL condition on <c>orders</c>, its columns prefixed with <paramref name="alias"/> when given.</summary>
    public static string Sql(string? alias = null)
    {
        var o = alias is null ? "" : alias + ".";
        return $"NOT {o}test AND {o}cancelled_at IS NULL AND {o}customer_id IS NOT NULL";
    }
}
