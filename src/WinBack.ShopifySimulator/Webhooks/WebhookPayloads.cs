using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.Webhooks;

/// <summary>REST-shaped webhook bodies (snake_case, numeric ids, money as strings), as in Shopify's webhook reference examples.</summary>
public static class WebhookPayloads
{
    public static object Customer(SimulatedCustomer customer) => new
    {
        id = customer.Id,
        email = customer.Email,
        created_at = Rest(customer.CreatedAt),
        updated_at = Rest(customer.UpdatedAt),
        first_name = customer.FirstName,
        last_name = customer.LastName,
        state = "enabled",
        note = (string?)null,
        verified_email = customer.Email is not null,
        multipass_identifier = (string?)null,
        tax_exempt = false,
        phone = customer.Phone,
        currency = "USD",
        addresses = Array.Empty<object>(),
        tax_exemptions = Array.Empty<string>(),
        admin_graphql_api_id = ShopifyScalars.Gid("Customer", customer.Id),
        default_address = (object?)null,
    };

    public static object DeletedCustomer(long id) => new
    {
        id,
        tax_exemptions = Array.Empty<string>(),
        admin_graphql_api_id = ShopifyScalars.Gid("Customer", id),
    };

    public static object Order(SimulatedOrder order, SimulatedShop shop)
    {
        var customer = order.CustomerId is { } customerId ? shop.FindCustomer(customerId) : null;
        return new
        {
            id = order.Id,
            admin_graphql_api_id = ShopifyScalars.Gid("Order", order.Id),
            name = order.Name,
            email = order.Email,
            created_at = Rest(order.CreatedAt),
            processed_at = Rest(order.ProcessedAt),
            updated_at = Rest(order.UpdatedAt),
            cancelled_at = order.CancelledAt is { } c ? Rest(c) : null,
            cancel_reason = order.CancelReason?.ToLowerInvariant(),
            closed_at = (string?)null,
            test = order.Test,
            currency = shop.CurrencyCode,
            presentment_currency = order.PresentmentCurrency,
            financial_status = order.Refunds.Count == 0 ? "paid" : order.CurrentTotalPrice == 0 ? "refunded" : "partially_refunded",
            total_price = ShopifyScalars.Decimal(order.TotalPrice),
            current_total_price = ShopifyScalars.Decimal(order.CurrentTotalPrice),
            total_price_set = MoneySet(order.TotalPrice, order, shop),
            current_total_price_set = MoneySet(order.CurrentTotalPrice, order, shop),
            customer = customer is null ? null : new
            {
                id = customer.Id,
                email = customer.Email,
                first_name = customer.FirstName,
                last_name = customer.LastName,
                created_at = Rest(customer.CreatedAt),
                updated_at = Rest(customer.UpdatedAt),
                admin_graphql_api_id = ShopifyScalars.Gid("Customer", customer.Id),
            },
            line_items = order.LineItems.Select(li => new
            {
                id = li.Id,
                admin_graphql_api_id = ShopifyScalars.Gid("LineItem", li.Id),
                product_id = li.ProductId,
                title = li.Title,
                name = li.Title,
                quantity = li.Quantity,
                price = ShopifyScalars.Decimal(li.UnitPrice),
                price_set = MoneySet(li.UnitPrice, order, shop),
            }).ToList(),
            refunds = order.Refunds.Select(r => new { id = r.Id, order_id = order.Id, created_at = Rest(r.CreatedAt), note = r.Note }).ToList(),
        };
    }

    public static object DeletedOrder(long id) => new { id };

    public static object Refund(SimulatedRefund refund, SimulatedOrder order, SimulatedShop shop) => new
    {
        id = refund.Id,
        admin_graphql_api_id = ShopifyScalars.Gid("Refund", refund.Id),
        order_id = order.Id,
        created_at = Rest(refund.CreatedAt),
        processed_at = Rest(refund.CreatedAt),
        note = refund.Note,
        transactions = new[]
        {
            new { id = refund.Id + 1, order_id = order.Id, kind = "refund", status = "success",
                  amount = ShopifyScalars.Decimal(order.InPresentment(refund.Amount)), currency = order.PresentmentCurrency },
        },
    };

    public static object Shop(SimulatedShop shop) => new
    {
        id = shop.ShopId,
        name = shop.Name,
        domain = shop.Domain,
        myshopify_domain = shop.Domain,
        currency = shop.CurrencyCode,
        iana_timezone = shop.IanaTimezone,
        plan_name = "basic",
    };

    public static object BulkOperationFinish(SimulatedBulkOperation operation, string status) => new
    {
        admin_graphql_api_id = operation.Gid,
        completed_at = operation.CompletedAt is { } at ? Rest(at) : null,
        created_at = Rest(operation.CreatedAt),
        error_code = operation.ErrorCode?.ToLowerInvariant(),
        status = status.ToLowerInvariant(),
        type = "query",
    };

    public static object ShopRedact(SimulatedShop shop) => new { shop_id = shop.ShopId, shop_domain = shop.Domain };

    public static object CustomersRedact(SimulatedShop shop, SimulatedCustomer customer, IEnumerable<long> orderIds) => new
    {
        shop_id = shop.ShopId,
        shop_domain = shop.Domain,
        customer = new { id = customer.Id, email = customer.Email, phone = customer.Phone },
        orders_to_redact = orderIds.ToList(),
    };

    public static object CustomersDataRequest(SimulatedShop shop, SimulatedCustomer customer, IEnumerable<long> orderIds, long requestId) => new
    {
        shop_id = shop.ShopId,
        shop_domain = shop.Domain,
        orders_requested = orderIds.ToList(),
        customer = new { id = customer.Id, email = customer.Email, phone = customer.Phone },
        data_request = new { id = requestId },
    };

    private static object MoneySet(decimal shopAmount, SimulatedOrder order, SimulatedShop shop) => new
    {
        shop_money = new { amount = ShopifyScalars.Decimal(shopAmount), currency_code = shop.CurrencyCode },
        presentment_money = new { amount = ShopifyScalars.Decimal(order.InPresentment(shopAmount)), currency_code = order.PresentmentCurrency },
    };

    // REST payloads write times in the shop's offset; UTC keeps the simulator simple and is equally valid ISO-8601.
    private static string Rest(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture);
}
