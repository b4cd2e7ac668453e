using System.Globalization;
using System.Net.Mail;
using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.ShopifySimulator.Schema;

/// <summary>The mutations a real store has that tests and demos use to change data "the Shopify way": each emits the webhooks Shopify would.</summary>
public sealed class MutationRoot(SimulatedShop shop) : IGraphNode
{
    public string TypeName => "Mutation";

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) => field switch
    {
        "customerCreate" => CustomerCreate(arguments.Object("input"), context),
        "customerUpdate" => CustomerUpdate(arguments.Object("input"), context),
        "customerDelete" => CustomerDelete(arguments.Object("input"), context),
        "orderCreate" => OrderCreate(arguments.Object("order"), context),
        "orderCancel" => OrderCancel(arguments, context),
        "orderDelete" => OrderDelete(arguments.String("orderId"), context),
        "refundCreate" => RefundCreate(arguments.Object("input"), context),
        "tagsAdd" => Tags(arguments, context, field, add: true),
        "tagsRemove" => Tags(arguments, context, field, add: false),
        "webhookSubscriptionCreate" => WebhookSubscriptionCreate(arguments, context),
        "bulkOperationRunQuery" => BulkOperationRunQuery(arguments, context),
        "bulkOperationCancel" => BulkOperationCancel(arguments.String("id"), context),
        _ => throw new UndefinedFieldException(TypeName, field),
    };

    private static List<object?> Errors(params ObjectNode[] errors) => [.. errors];

    private object CustomerCreate(IReadOnlyDictionary<string, object?> input, GraphQL.ExecutionContext context)
    {
        if (Validate(input, null) is { } error) return ObjectNode.Payload("CustomerCreatePayload", ("customer", null), ("userErrors", Errors(error)));
        var customer = new SimulatedCustomer { Id = context.Runtime.Store.NextId(), CreatedAt = context.Now, UpdatedAt = context.Now };
        Apply(customer, input);
        shop.Add(customer);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.CustomersCreate, WebhookPayloads.Customer(customer));
        return ObjectNode.Payload("CustomerCreatePayload", ("customer", new CustomerNode(customer, shop)), ("userErrors", Errors()));
    }

    private object CustomerUpdate(IReadOnlyDictionary<string, object?> input, GraphQL.ExecutionContext context)
    {
        var customer = shop.FindCustomer(ShopifyScalars.ParseGid(input.GetValueOrDefault("id") as string, "Customer"));
        if (customer is null)
            return ObjectNode.Payload("CustomerUpdatePayload", ("customer", null), ("userErrors", Errors(ObjectNode.UserError("Customer does not exist", ["id"]))));
        if (Validate(input, customer) is { } error) return ObjectNode.Payload("CustomerUpdatePayload", ("customer", null), ("userErrors", Errors(error)));
        Apply(customer, input);
        customer.UpdatedAt = context.Now;
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.CustomersUpdate, WebhookPayloads.Customer(customer));
        return ObjectNode.Payload("CustomerUpdatePayload", ("customer", new CustomerNode(customer, shop)), ("userErrors", Errors()));
    }

    private object CustomerDelete(IReadOnlyDictionary<string, object?> input, GraphQL.ExecutionContext context)
    {
        var gid = input.GetValueOrDefault("id") as string;
        var customer = shop.FindCustomer(ShopifyScalars.ParseGid(gid, "Customer"));
        if (customer is null)
            return ObjectNode.Payload("CustomerDeletePayload", ("deletedCustomerId", null), ("userErrors", Errors(ObjectNode.UserError("Customer can't be found", ["id"]))));
        if (shop.OrdersOf(customer.Id).Any())
            return ObjectNode.Payload("CustomerDeletePayload", ("deletedCustomerId", null),
                ("userErrors", Errors(ObjectNode.UserError("Customer can’t be deleted because they have associated orders", ["id"]))));
        shop.Remove(customer);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.CustomersDelete, WebhookPayloads.DeletedCustomer(customer.Id));
        return ObjectNode.Payload("CustomerDeletePayload", ("deletedCustomerId", gid), ("userErrors", Errors()));
    }

    /// <summary>
    /// tagsAdd / tagsRemove on a customer (the resource WinBack tags): needs write_customers, as Shopify's access scopes
    /// say; tags are compared case-insensitively and a change fires customers/update.
    /// </summary>
    private object? Tags(FieldArguments arguments, GraphQL.ExecutionContext context, string field, bool add)
    {
        if (!Access.RequireScope(context, "write_customers", field)) return null;
        var payloadType = add ? "TagsAddPayload" : "TagsRemovePayload";
        var gid = arguments.String("id");
        var customer = gid?.StartsWith("gid://shopify/Customer/", StringComparison.Ordinal) == true ? shop.FindCustomer(ShopifyScalars.ParseGid(gid, "Customer")) : null;
        if (customer is null) return ObjectNode.Payload(payloadType, ("node", null), ("userErrors", Errors(ObjectNode.UserError("Resource does not exist", ["id"]))));
        // [String!]!, or one comma-separated string, as Shopify accepts both.
        var given = arguments["tags"] switch
        {
            List<object?> list => list.Select(t => t?.ToString() ?? ""),
            string text => text.Split(','),
            _ => [],
        };
        var tags = given.Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        if (tags.Count == 0) return ObjectNode.Payload(payloadType, ("node", null), ("userErrors", Errors(ObjectNode.UserError("Tags can't be blank", ["tags"]))));
        var before = customer.Tags.ToList();
        customer.Tags = add
            ? [.. customer.Tags, .. tags.Where(t => !customer.Tags.Contains(t, StringComparer.OrdinalIgnoreCase))]
            : customer.Tags.Where(t => !tags.Contains(t, StringComparer.OrdinalIgnoreCase)).ToList();
        if (!before.SequenceEqual(customer.Tags))
        {
            customer.UpdatedAt = context.Now;
            context.Runtime.Webhooks.Publish(shop, WebhookTopics.CustomersUpdate, WebhookPayloads.Customer(customer));
        }
        return ObjectNode.Payload(payloadType, ("node", new CustomerNode(customer, shop)), ("userErrors", Errors()));
    }

    private ObjectNode? Validate(IReadOnlyDictionary<string, object?> input, SimulatedCustomer? existing)
    {
        if (input.GetValueOrDefault("email") is not string email) return null;
        if (!MailAddress.TryCreate(email, out _)) return ObjectNode.UserError("Email is invalid", ["email"], "INVALID");
        var taken = shop.Customers.Any(c => c != existing && string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase));
        return taken ? ObjectNode.UserError("Email has already been taken", ["email"], "TAKEN") : null;
    }

    private static void Apply(SimulatedCustomer customer, IReadOnlyDictionary<string, object?> input)
    {
        if (input.TryGetValue("firstName", out var first)) customer.FirstName = first as string;
        if (input.TryGetValue("lastName", out var last)) customer.LastName = last as string;
        if (input.TryGetValue("email", out var email)) customer.Email = email as string;
        if (input.TryGetValue("phone", out var phone)) customer.Phone = phone as string;
        if (input.GetValueOrDefault("tags") is List<object?> tags) customer.Tags = tags.Select(t => t?.ToString() ?? "").ToList();
        if (input.GetValueOrDefault("emailMarketingConsent") is IReadOnlyDictionary<string, object?> consent && consent.GetValueOrDefault("marketingState") is string state)
            customer.MarketingState = state;
    }

    private object OrderCreate(IReadOnlyDictionary<string, object?> input, GraphQL.ExecutionContext context)
    {
        var customerGid = input.GetValueOrDefault("customerId") as string
            ?? ((input.GetValueOrDefault("customer") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("toAssociate") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("id") as string;
        SimulatedCustomer? customer = null;
        if (customerGid is not null && (customer = shop.FindCustomer(ShopifyScalars.ParseGid(customerGid, "Customer"))) is null)
            return ObjectNode.Payload("OrderCreatePayload", ("order", null), ("userErrors", Errors(ObjectNode.UserError("Customer does not exist", ["order", "customerId"]))));
        if (input.GetValueOrDefault("lineItems") is not List<object?> { Count: > 0 } lines)
            return ObjectNode.Payload("OrderCreatePayload", ("order", null), ("userErrors", Errors(ObjectNode.UserError("Line items can't be blank", ["order", "lineItems"]))));

        var presentment = input.GetValueOrDefault("presentmentCurrency") as string ?? input.GetValueOrDefault("currency") as string ?? shop.CurrencyCode;
        var processedAt = input.GetValueOrDefault("processedAt") is string p
            ? DateTimeOffset.Parse(p, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : context.Now;
        var order = new SimulatedOrder
        {
            Id = context.Runtime.Store.NextId(),
            Name = $"#{shop.NextOrderNumber++}",
            CustomerId = customer?.Id,
            Email = input.GetValueOrDefault("email") as string ?? customer?.Email,
            ProcessedAt = processedAt,
            CreatedAt = context.Now,
            UpdatedAt = context.Now,
            Test = input.GetValueOrDefault("test") as bool? ?? false,
            PresentmentCurrency = presentment,
            PresentmentRate = input.GetValueOrDefault("presentmentRate") switch { double d => (decimal)d, long l => l, _ => 1m },
            LineItems = lines.Cast<IReadOnlyDictionary<string, object?>>().Select(line => LineItem(line, context)).ToList(),
        };
        shop.Add(order);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersCreate, WebhookPayloads.Order(order, shop));
        return ObjectNode.Payload("OrderCreatePayload", ("order", new OrderNode(order, shop)), ("userErrors", Errors()));
    }

    private static SimulatedLineItem LineItem(IReadOnlyDictionary<string, object?> line, GraphQL.ExecutionContext context)
    {
        var shopMoney = ((line.GetValueOrDefault("priceSet") as IReadOnlyDictionary<string, object?>)?.GetValueOrDefault("shopMoney") as IReadOnlyDictionary<string, object?>)
            ?? throw new GraphQLRequestException("lineItems.priceSet.shopMoney is required.", "INVALID");
        return new SimulatedLineItem
        {
            Id = context.Runtime.Store.NextId(),
            Title = line.GetValueOrDefault("title") as string ?? "Item",
            Quantity = line.GetValueOrDefault("quantity") is long q ? (int)q : 1,
            UnitPrice = decimal.Parse(Convert.ToString(shopMoney.GetValueOrDefault("amount"), CultureInfo.InvariantCulture) ?? "0", CultureInfo.InvariantCulture),
            ProductId = line.GetValueOrDefault("productId") is string product ? ShopifyScalars.ParseGid(product, "Product") : null,
        };
    }

    private object OrderCancel(FieldArguments arguments, GraphQL.ExecutionContext context)
    {
        var order = shop.FindOrder(ShopifyScalars.ParseGid(arguments.String("orderId"), "Order"));
        ObjectNode? error = order switch
        {
            null => ObjectNode.UserError("Order does not exist", ["orderId"], "NOT_FOUND"),
            { CancelledAt: not null } => ObjectNode.UserError("Order has already been cancelled", ["orderId"], "INVALID"),
            _ => null,
        };
        if (error is not null) return CancelPayload(context, error);

        order!.CancelledAt = context.Now;
        order.CancelReason = arguments.String("reason") ?? "OTHER";
        order.UpdatedAt = context.Now;
        if (arguments.Bool("refund") == true && order.CurrentTotalPrice > 0)
            AddRefund(order, order.CurrentTotalPrice, "Cancelled", context);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersCancelled, WebhookPayloads.Order(order, shop));
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersUpdated, WebhookPayloads.Order(order, shop));
        return CancelPayload(context, null);
    }

    private static ObjectNode CancelPayload(GraphQL.ExecutionContext context, ObjectNode? error)
    {
        var errors = error is null ? Errors() : Errors(error);
        var job = error is null
            ? new ObjectNode("Job", new Dictionary<string, object?> { ["id"] = ShopifyScalars.Gid("Job", context.Runtime.Store.NextId()), ["done"] = true })
            : null;
        return ObjectNode.Payload("OrderCancelPayload", ("job", job), ("orderCancelUserErrors", errors), ("userErrors", errors));
    }

    private object OrderDelete(string? orderGid, GraphQL.ExecutionContext context)
    {
        var order = shop.FindOrder(ShopifyScalars.ParseGid(orderGid, "Order"));
        if (order is null)
            return ObjectNode.Payload("OrderDeletePayload", ("deletedId", null), ("userErrors", Errors(ObjectNode.UserError("Order does not exist", ["orderId"]))));
        shop.Remove(order);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersDelete, WebhookPayloads.DeletedOrder(order.Id));
        return ObjectNode.Payload("OrderDeletePayload", ("deletedId", orderGid), ("userErrors", Errors()));
    }

    private object RefundCreate(IReadOnlyDictionary<string, object?> input, GraphQL.ExecutionContext context)
    {
        var order = shop.FindOrder(ShopifyScalars.ParseGid(input.GetValueOrDefault("orderId") as string, "Order"));
        if (order is null)
            return ObjectNode.Payload("RefundCreatePayload", ("refund", null), ("userErrors", Errors(ObjectNode.UserError("Order does not exist", ["orderId"]))));

        var fromTransactions = (input.GetValueOrDefault("transactions") as List<object?> ?? [])
            .Cast<IReadOnlyDictionary<string, object?>>()
            .Sum(t => decimal.Parse(Convert.ToString(t.GetValueOrDefault("amount"), CultureInfo.InvariantCulture) ?? "0", CultureInfo.InvariantCulture));
        var fromLineItems = (input.GetValueOrDefault("refundLineItems") as List<object?> ?? [])
            .Cast<IReadOnlyDictionary<string, object?>>()
            .Sum(r => order.LineItems.FirstOrDefault(li => ShopifyScalars.Gid("LineItem", li.Id) == r.GetValueOrDefault("lineItemId") as string) is { } li
                ? li.UnitPrice * (r.GetValueOrDefault("quantity") is long q ? q : 1)
                : 0m);
        // Transactions are in the presentment currency; the refund is kept in shop money.
        var amount = fromTransactions > 0 ? fromTransactions / order.PresentmentRate : fromLineItems;
        if (amount <= 0 || amount > order.CurrentTotalPrice)
            return ObjectNode.Payload("RefundCreatePayload", ("refund", null),
                ("userErrors", Errors(ObjectNode.UserError("Refund amount must be greater than zero and at most the amount left to refund", ["transactions"]))));

        var refund = AddRefund(order, amount, input.GetValueOrDefault("note") as string, context);
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.OrdersUpdated, WebhookPayloads.Order(order, shop));
        var node = new ObjectNode("Refund", new Dictionary<string, object?>
        {
            ["id"] = ShopifyScalars.Gid("Refund", refund.Id),
            ["createdAt"] = ShopifyScalars.DateTime(refund.CreatedAt),
            ["note"] = refund.Note,
            ["totalRefundedSet"] = ObjectNode.MoneyBag(refund.Amount, shop.CurrencyCode, order.InPresentment(refund.Amount), order.PresentmentCurrency),
        });
        return ObjectNode.Payload("RefundCreatePayload", ("refund", node), ("userErrors", Errors()));
    }

    private SimulatedRefund AddRefund(SimulatedOrder order, decimal amount, string? note, GraphQL.ExecutionContext context)
    {
        var refund = new SimulatedRefund { Id = context.Runtime.Store.NextId(), CreatedAt = context.Now, Amount = Math.Round(amount, 2), Note = note };
        order.Refunds.Add(refund);
        order.UpdatedAt = context.Now;
        context.Runtime.Webhooks.Publish(shop, WebhookTopics.RefundsCreate, WebhookPayloads.Refund(refund, order, shop));
        return refund;
    }

    private object WebhookSubscriptionCreate(FieldArguments arguments, GraphQL.ExecutionContext context)
    {
        var topic = WebhookTopics.FromEnum(arguments.String("topic"));
        var input = arguments.Object("webhookSubscription");
        var url = input.GetValueOrDefault("callbackUrl") as string ?? input.GetValueOrDefault("uri") as string;
        if (topic is null || !Uri.TryCreate(url, UriKind.Absolute, out var callback))
            return ObjectNode.Payload("WebhookSubscriptionCreatePayload", ("webhookSubscription", null),
                ("userErrors", Errors(ObjectNode.UserError(topic is null ? "Topic is not supported" : "Address is invalid", [topic is null ? "topic" : "callbackUrl"]))));
        if (shop.WebhookSubscriptions.Any(s => s.Topic == topic && s.CallbackUrl == callback))
            return ObjectNode.Payload("WebhookSubscriptionCreatePayload", ("webhookSubscription", null),
                ("userErrors", Errors(ObjectNode.UserError("Address for this topic has already been taken", ["webhookSubscription", "callbackUrl"]))));

        var subscription = new SimulatedWebhookSubscription(context.Runtime.Store.NextId(), topic, callback);
        shop.WebhookSubscriptions.Add(subscription);
        var node = new ObjectNode("WebhookSubscription", new Dictionary<string, object?>
        {
            ["id"] = ShopifyScalars.Gid("WebhookSubscription", subscription.Id),
            ["topic"] = arguments.String("topic"),
            ["uri"] = callback.ToString(),
            ["callbackUrl"] = callback.ToString(),
            ["format"] = "JSON",
        });
        return ObjectNode.Payload("WebhookSubscriptionCreatePayload", ("webhookSubscription", node), ("userErrors", Errors()));
    }

    private object BulkOperationRunQuery(FieldArguments arguments, GraphQL.ExecutionContext context)
    {
        var (operation, error) = context.Runtime.Bulk.Start(shop, arguments.String("query") ?? "", context.Runtime);
        return ObjectNode.Payload("BulkOperationRunQueryPayload",
            ("bulkOperation", operation is null ? null : new BulkOperationNode(operation, context.Runtime.Bulk)),
            ("userErrors", error is null ? Errors() : Errors(error)));
    }

    private object BulkOperationCancel(string? gid, GraphQL.ExecutionContext context)
    {
        var operation = shop.BulkOperations.GetValueOrDefault(ShopifyScalars.ParseGid(gid, "BulkOperation"));
        if (operation is null)
            return ObjectNode.Payload("BulkOperationCancelPayload", ("bulkOperation", null), ("userErrors", Errors(ObjectNode.UserError("Bulk operation does not exist", ["id"]))));
        context.Runtime.Bulk.Cancel(operation);
        return ObjectNode.Payload("BulkOperationCancelPayload", ("bulkOperation", new BulkOperationNode(operation, context.Runtime.Bulk)), ("userErrors", Errors()));
    }
}
