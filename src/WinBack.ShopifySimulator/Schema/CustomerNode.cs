using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Schema;

public sealed class CustomerNode(SimulatedCustomer customer, SimulatedShop shop) : ISortableNode
{
    public string TypeName => "Customer";
    public long Id => customer.Id;

    public long SortValue(string sortKey) => sortKey switch
    {
        "UPDATED_AT" => customer.UpdatedAt.UtcTicks,
        "CREATED_AT" => customer.CreatedAt.UtcTicks,
        _ => customer.Id,
    };

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "id" => ShopifyScalars.Gid("Customer", customer.Id),
        "legacyResourceId" => ShopifyScalars.UnsignedInt64(customer.Id),
        "firstName" => Access.Protected(context, field, customer.FirstName),
        "lastName" => Access.Protected(context, field, customer.LastName),
        "displayName" => Access.Protected(context, field, DisplayName()),
        "email" => Access.Protected(context, field, customer.Email),
        "phone" => Access.Protected(context, field, customer.Phone),
        "defaultEmailAddress" => customer.Email is null ? null : Access.Protected(context, field, EmailAddress()),
        "emailMarketingConsent" => customer.Email is null ? null : new ObjectNode("EmailMarketingConsentState", new Dictionary<string, object?>
        {
            ["marketingState"] = customer.MarketingState,
            ["marketingOptInLevel"] = "SINGLE_OPT_IN",
            ["consentUpdatedAt"] = ShopifyScalars.DateTime(customer.UpdatedAt),
        }),
        "numberOfOrders" => ShopifyScalars.UnsignedInt64(VisibleOrders(context).Count()),
        "amountSpent" => ObjectNode.MoneyV2(VisibleOrders(context).Where(o => o.CancelledAt is null).Sum(o => o.CurrentTotalPrice), shop.CurrencyCode),
        "lastOrder" => VisibleOrders(context).MaxBy(o => o.ProcessedAt) is { } last ? new OrderNode(last, shop) : null,
        "orders" => Access.RequireScope(context, "read_orders", field)
            ? new ListConnection<SimulatedOrder>("Order", "ID", VisibleOrders(context).ToList(), o => new OrderNode(o, shop))
            : null,
        "createdAt" => ShopifyScalars.DateTime(customer.CreatedAt),
        "updatedAt" => ShopifyScalars.DateTime(customer.UpdatedAt),
        "tags" => customer.Tags,
        "state" => "ENABLED",
        "verifiedEmail" => customer.Email is not null,
        _ => throw new UndefinedFieldException(TypeName, field),
    };

    private IEnumerable<SimulatedOrder> VisibleOrders(GraphQL.ExecutionContext context) =>
        shop.OrdersOf(customer.Id).Where(o => !o.Test && Access.CanSee(context, o));

    private string DisplayName() =>
        string.Join(' ', new[] { customer.FirstName, customer.LastName }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } name
            ? name
            : customer.Email ?? customer.Phone ?? "";

    private ObjectNode EmailAddress() => new("CustomerEmailAddress", new Dictionary<string, object?>
    {
        ["emailAddress"] = customer.Email,
        ["marketingState"] = customer.MarketingState,
        ["marketingOptInLevel"] = "SINGLE_OPT_IN",
        ["marketingUpdatedAt"] = ShopifyScalars.DateTime(customer.UpdatedAt),
        ["validFormat"] = true,
    });
}
