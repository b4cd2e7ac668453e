using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Schema;

/// <summary>What the installed app may see: scopes, the 60-day order window, protected customer data.</summary>
internal static class Access
{
    public static AppInstallation Installation(GraphQL.ExecutionContext context) =>
        context.Shop.Installation ?? throw new InvalidOperationException("GraphQL runs only for installed apps.");

    public static bool CanSee(GraphQL.ExecutionContext context, SimulatedOrder order) =>
        Installation(context).HasScope("read_all_orders")
        || order.ProcessedAt >= context.Now - context.Runtime.Options.OrderWindowWithoutReadAllOrders;

    /// <summary>A protected field (name, email, phone): null and an error unless Level 2 access was approved.</summary>
    public static object? Protected(GraphQL.ExecutionContext context, string field, object? value)
    {
        if (Installation(context).ProtectedCustomerData) return value;
        context.AddFieldError(
            $"This app is not approved to use the {field} field. See https://partners.shopify.com/protected-customer-data for more details.",
            "ACCESS_DENIED");
        return null;
    }

    /// <summary>Null with ACCESS_DENIED when the scope is missing, as Shopify answers a query outside the granted scopes.</summary>
    public static bool RequireScope(GraphQL.ExecutionContext context, string scope, string field)
    {
        if (Installation(context).HasScope(scope)) return true;
        context.AddFieldError($"Access denied for {field} field. Required access: `{scope}` access scope.", "ACCESS_DENIED");
        return false;
    }
}
