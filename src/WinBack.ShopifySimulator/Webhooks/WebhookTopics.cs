namespace WinBack.ShopifySimulator.Webhooks;

/// <summary>The webhook topics the simulator emits, in their REST form ("orders/create") and GraphQL enum form (ORDERS_CREATE).</summary>
public static class WebhookTopics
{
    public const string AppUninstalled = "app/uninstalled";
    public const string BulkOperationsFinish = "bulk_operations/finish";
    public const string CustomersCreate = "customers/create";
    public const string CustomersUpdate = "customers/update";
    public const string CustomersDelete = "customers/delete";
    public const string OrdersCreate = "orders/create";
    public const string OrdersUpdated = "orders/updated";
    public const string OrdersCancelled = "orders/cancelled";
    public const string OrdersDelete = "orders/delete";
    public const string RefundsCreate = "refunds/create";
    public const string CustomersDataRequest = "customers/data_request";
    public const string CustomersRedact = "customers/redact";
    public const string ShopRedact = "shop/redact";

    public static readonly IReadOnlyList<string> Subscribable =
    [
        AppUninstalled, BulkOperationsFinish, CustomersCreate, CustomersUpdate, CustomersDelete,
        OrdersCreate, OrdersUpdated, OrdersCancelled, OrdersDelete, RefundsCreate,
    ];

    public static readonly IReadOnlyList<string> Compliance = [CustomersDataRequest, CustomersRedact, ShopRedact];

    public static string ToEnum(string topic) => topic.Replace('/', '_').ToUpperInvariant();

    public static string? FromEnum(string? value) => Subscribable.FirstOrDefault(t => ToEnum(t) == value);
}
