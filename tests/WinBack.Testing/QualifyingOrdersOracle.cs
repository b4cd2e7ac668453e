using WinBack.ShopifySimulator.Store;

namespace WinBack.Testing;

/// <summary>
/// PRODUCT.md's qualifying order (not a test, not cancelled, has a customer) on the simulator's own data: the truth the
/// tests hold WinBack's copy to. <c>QualifyingOrdersTests</c> checks it picks the rows WinBack's SQL picks.
/// </summary>
public static class QualifyingOrdersOracle
{
    public static bool IsQualifying(this SimulatedOrder order) => order.CustomerId is not null && !order.Test && order.CancelledAt is null;

    /// <summary>The customer's qualifying orders; the caller holds <c>shop.Sync</c>.</summary>
    public static List<SimulatedOrder> QualifyingOrdersOf(this SimulatedShop shop, long customerId) => shop.OrdersOf(customerId).Where(IsQualifying).ToList();
}
