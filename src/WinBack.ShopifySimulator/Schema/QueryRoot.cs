using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Schema;

public sealed class QueryRoot(SimulatedShop shop) : IGraphNode
{
    public string TypeName => "QueryRoot";

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "shop" => new ShopNode(shop),
        "customers" => Access.RequireScope(context, "read_customers", field) ? Customers(arguments) : null,
        "orders" => Access.RequireScope(context, "read_orders", field) ? Orders(arguments, context) : null,
        "customer" => Access.RequireScope(context, "read_customers", field) ? FindCustomer(arguments.String("id")) : null,
        "order" => Access.RequireScope(context, "read_orders", field) ? FindOrder(arguments.String("id"), context) : null,
        "node" => Node(arguments.String("id"), context),
        "currentBulkOperation" => shop.BulkOperations.Values.MaxBy(op => op.Id) is { } op ? new BulkOperationNode(op, context.Runtime.Bulk) : null,
        "bulkOperation" => Node(arguments.String("id"), context) as BulkOperationNode,
        "currentAppInstallation" => ObjectNode.Payload("AppInstallation",
            ("accessScopes", Access.Installation(context).Scopes.Order(StringComparer.Ordinal).Select(s => (object?)ObjectNode.Payload("AccessScope", ("handle", s))).ToList())),
        _ => throw new UndefinedFieldException(TypeName, field),
    };

    private ListConnection<SimulatedCustomer> Customers(FieldArguments arguments)
    {
        var search = SearchQuery.Parse(arguments.String("query"));
        var sortKey = arguments.String("sortKey") ?? "ID";
        var matches = shop.Customers.Where(c => search.Matches(f => CustomerField(c, f)));
        return new ListConnection<SimulatedCustomer>("Customer", sortKey, Sorted(matches, c => new CustomerNode(c, shop), sortKey), c => new CustomerNode(c, shop));
    }

    private ListConnection<SimulatedOrder> Orders(FieldArguments arguments, GraphQL.ExecutionContext context)
    {
        var search = SearchQuery.Parse(arguments.String("query"));
        var sortKey = arguments.String("sortKey") ?? "ID";
        var matches = shop.Orders.Where(o => Access.CanSee(context, o) && search.Matches(f => OrderField(o, f)));
        return new ListConnection<SimulatedOrder>("Order", sortKey, Sorted(matches, o => new OrderNode(o, shop), sortKey), o => new OrderNode(o, shop));
    }

    private static List<T> Sorted<T>(IEnumerable<T> items, Func<T, ISortableNode> wrap, string sortKey) =>
        sortKey == "ID"
            ? items.ToList() // the shop keeps its lists in id order
            : items.Select(i => (Item: i, Node: wrap(i))).OrderBy(x => x.Node.SortValue(sortKey)).ThenBy(x => x.Node.Id).Select(x => x.Item).ToList();

    private static object? CustomerField(SimulatedCustomer customer, string field) => field switch
    {
        "updated_at" => customer.UpdatedAt,
        "created_at" => customer.CreatedAt,
        "id" => customer.Id,
        "email" => customer.Email ?? "",
        _ => null,
    };

    private static object? OrderField(SimulatedOrder order, string field) => field switch
    {
        "updated_at" => order.UpdatedAt,
        "created_at" => order.CreatedAt,
        "processed_at" => order.ProcessedAt,
        "id" => order.Id,
        "customer_id" => order.CustomerId ?? 0,
        "test" => order.Test,
        _ => null,
    };

    private CustomerNode? FindCustomer(string? gid) =>
        shop.FindCustomer(ShopifyScalars.ParseGid(gid, "Customer")) is { } c ? new CustomerNode(c, shop) : null;

    private OrderNode? FindOrder(string? gid, GraphQL.ExecutionContext context) =>
        shop.FindOrder(ShopifyScalars.ParseGid(gid, "Order")) is { } o && Access.CanSee(context, o) ? new OrderNode(o, shop) : null;

    private IGraphNode? Node(string? gid, GraphQL.ExecutionContext context)
    {
        var type = gid?.Split('/') is { Length: 5 } parts ? parts[3] : null;
        return type switch
        {
            "Customer" => Access.RequireScope(context, "read_customers", "node") ? FindCustomer(gid) : null,
            "Order" => Access.RequireScope(context, "read_orders", "node") ? FindOrder(gid, context) : null,
            "BulkOperation" => shop.BulkOperations.GetValueOrDefault(ShopifyScalars.ParseGid(gid, "BulkOperation")) is { } op
                ? new BulkOperationNode(op, context.Runtime.Bulk)
                : null,
            _ => throw new GraphQLRequestException($"Invalid global id '{gid}'", "INVALID"),
        };
    }
}

public sealed class ShopNode(SimulatedShop shop) : IGraphNode
{
    public string TypeName => "Shop";

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "id" => ShopifyScalars.Gid("Shop", shop.ShopId),
        "name" => shop.Name,
        "myshopifyDomain" => shop.Domain,
        "currencyCode" => shop.CurrencyCode,
        "ianaTimezone" => shop.IanaTimezone,
        "url" => $"https://{shop.Domain}",
        _ => throw new UndefinedFieldException(TypeName, field),
    };
}
