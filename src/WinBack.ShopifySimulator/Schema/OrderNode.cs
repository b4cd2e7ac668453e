using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Schema;

public sealed class OrderNode(SimulatedOrder order, SimulatedShop shop) : ISortableNode
{
    public string TypeName => "Order";
    public long Id => order.Id;

    public long SortValue(string sortKey) => sortKey switch
    {
        "UPDATED_AT" => order.UpdatedAt.UtcTicks,
        "CREATED_AT" => order.CreatedAt.UtcTicks,
        "PROCESSED_AT" => order.ProcessedAt.UtcTicks,
        _ => order.Id,
    };

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "id" => ShopifyScalars.Gid("Order", order.Id),
        "legacyResourceId" => ShopifyScalars.UnsignedInt64(order.Id),
        "name" => order.Name,
        "email" => Access.Protected(context, field, order.Email),
        "processedAt" => ShopifyScalars.DateTime(order.ProcessedAt),
        "createdAt" => ShopifyScalars.DateTime(order.CreatedAt),
        "updatedAt" => ShopifyScalars.DateTime(order.UpdatedAt),
        "cancelledAt" => ShopifyScalars.DateTime(order.CancelledAt),
        "cancelReason" => order.CancelReason,
        "test" => order.Test,
        "currencyCode" => shop.CurrencyCode,
        "presentmentCurrencyCode" => order.PresentmentCurrency,
        "customer" => order.CustomerId is { } id && shop.FindCustomer(id) is { } customer ? new CustomerNode(customer, shop) : null,
        "totalPriceSet" => Money(order.TotalPrice),
        "currentTotalPriceSet" => Money(order.CurrentTotalPrice),
        "totalRefundedSet" => Money(order.Refunds.Sum(r => r.Amount)),
        "displayFinancialStatus" => FinancialStatus(),
        "lineItems" => new ListConnection<SimulatedLineItem>("LineItem", "ID", order.LineItems, li => new LineItemNode(li, order, shop)),
        _ => throw new UndefinedFieldException(TypeName, field),
    };

    private ObjectNode Money(decimal shopAmount) =>
        ObjectNode.MoneyBag(shopAmount, shop.CurrencyCode, order.InPresentment(shopAmount), order.PresentmentCurrency);

    private string FinancialStatus()
    {
        var refunded = order.Refunds.Sum(r => r.Amount);
        if (refunded <= 0) return "PAID";
        return refunded >= order.TotalPrice ? "REFUNDED" : "PARTIALLY_REFUNDED";
    }
}

public sealed class LineItemNode(SimulatedLineItem item, SimulatedOrder order, SimulatedShop shop) : ISortableNode
{
    public string TypeName => "LineItem";
    public long Id => item.Id;
    public long SortValue(string sortKey) => item.Id;

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "id" => ShopifyScalars.Gid("LineItem", item.Id),
        "name" or "title" => item.Title,
        "quantity" => item.Quantity,
        "product" => item.ProductId is { } productId
            ? new ObjectNode("Product", new Dictionary<string, object?> { ["id"] = ShopifyScalars.Gid("Product", productId), ["title"] = item.Title })
            : null,
        "originalUnitPriceSet" => ObjectNode.MoneyBag(item.UnitPrice, shop.CurrencyCode, order.InPresentment(item.UnitPrice), order.PresentmentCurrency),
        _ => throw new UndefinedFieldException(TypeName, field),
    };
}
