namespace WinBack.Shopify;

// The typed Admin API calls WinBack makes. Each query asks only for what the sync and the report use.
public sealed partial class ShopifyGraphQLClient
{
    public const int MaxPageSize = 250;

    /// <summary>An order node costs 4 points (order, customer, money bag, money), so 250 of them would exceed the 1000-point query limit.</summary>
    public const int OrderPageSize = 200;

    private const string ShopQuery = "query { shop { name myshopifyDomain currencyCode ianaTimezone } }";

    private const string CustomerFields =
        "id firstName lastName defaultEmailAddress { emailAddress marketingState } createdAt updatedAt";

    private const string OrderFields =
        "id name processedAt createdAt updatedAt cancelledAt test customer { id } " +
        "currentTotalPriceSet { shopMoney { amount currencyCode } }";

    private const string CustomersQuery =
        "query Customers($first: Int!, $after: String, $query: String) { customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) { " +
        "pageInfo { hasNextPage endCursor } nodes { " + CustomerFields + " } } }";

    private const string OrdersQuery =
        "query Orders($first: Int!, $after: String, $query: String) { orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) { " +
        "pageInfo { hasNextPage endCursor } nodes { " + OrderFields + " } } }";

    private const string BulkOperationFields =
        "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl";

    private const string RunBulkQueryMutation =
        "mutation RunBulk($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { " + BulkOperationFields + " } userErrors { field message code } } }";

    private const string BulkOperationQuery =
        "query Bulk($id: ID!) { node(id: $id) { ... on BulkOperation { " + BulkOperationFields + " } } }";

    private const string AccessScopesQuery = "query { currentAppInstallation { accessScopes { handle } } }";

    private const string TagsAddMutation =
        "mutation TagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";

    private const string TagsRemoveMutation =
        "mutation TagsRemove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }";

    private sealed record AccessScope(string Handle);
    private sealed record AppInstallationScopes(IReadOnlyList<AccessScope> AccessScopes);
    private sealed record AccessScopesData(AppInstallationScopes CurrentAppInstallation);
    private sealed record TagsPayload(IReadOnlyList<UserError> UserErrors);
    private sealed record TagsAddData(TagsPayload? TagsAdd);
    private sealed record TagsRemoveData(TagsPayload? TagsRemove);
    private sealed record ShopData(ShopInfo Shop);
    private sealed record CustomersData(Connection<CustomerNode> Customers);
    private sealed record OrdersData(Connection<OrderNode> Orders);
    private sealed record RunBulkPayload(BulkOperation? BulkOperation, IReadOnlyList<UserError> UserErrors);
    private sealed record RunBulkData(RunBulkPayload BulkOperationRunQuery);
    private sealed record BulkNodeData(BulkOperation? Node);

    public async Task<ShopInfo> GetShopAsync(ShopifyCredentials shop, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync<ShopData>(shop, ShopQuery, null, cancellationToken)).Data.Shop;

    /// <summary>One page of customers, oldest update first. <paramref name="search"/> uses Shopify's search syntax, e.g. <c>updated_at:&gt;='2026-01-01T00:00:00Z'</c>.</summary>
    public async Task<Connection<CustomerNode>> GetCustomersPageAsync(
        ShopifyCredentials shop, string? after, string? search = null, int pageSize = MaxPageSize, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync<CustomersData>(shop, CustomersQuery, new { first = pageSize, after, query = search }, cancellationToken)).Data.Customers;

    /// <summary>One page of orders, oldest update first.</summary>
    public async Task<Connection<OrderNode>> GetOrdersPageAsync(
        ShopifyCredentials shop, string? after, string? search = null, int pageSize = OrderPageSize, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync<OrdersData>(shop, OrdersQuery, new { first = pageSize, after, query = search }, cancellationToken)).Data.Orders;

    /// <summary>Starts a bulk query. Throws <see cref="ShopifyUserErrorsException"/> when Shopify refuses it (e.g. OPERATION_IN_PROGRESS).</summary>
    public async Task<BulkOperation> StartBulkQueryAsync(ShopifyCredentials shop, string bulkQuery, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteAsync<RunBulkData>(shop, RunBulkQueryMutation, new { query = bulkQuery }, cancellationToken);
        var payload = result.Data.BulkOperationRunQuery;
        if (payload.UserErrors.Count > 0 || payload.BulkOperation is null)
            throw new ShopifyUserErrorsException("bulkOperationRunQuery", payload.UserErrors, result.RequestId);
        return payload.BulkOperation;
    }

    /// <summary>The scopes the merchant has granted the app on this shop, optional ones included.</summary>
    public async Task<IReadOnlySet<string>> GetGrantedScopesAsync(ShopifyCredentials shop, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync<AccessScopesData>(shop, AccessScopesQuery, null, cancellationToken)).Data.CurrentAppInstallation.AccessScopes.Select(s => s.Handle).ToHashSet();

    /// <summary>Adds tags to a customer (needs write_customers; a missing scope is a <see cref="ShopifyGraphQLException"/> with ACCESS_DENIED).</summary>
    public async Task AddCustomerTagsAsync(ShopifyCredentials shop, long customerId, IReadOnlyList<string> tags, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteAsync<TagsAddData>(shop, TagsAddMutation, new { id = $"gid://shopify/Customer/{customerId}", tags }, cancellationToken);
        ThrowIfRefused("tagsAdd", result.Data.TagsAdd, result);
    }

    public async Task RemoveCustomerTagsAsync(ShopifyCredentials shop, long customerId, IReadOnlyList<string> tags, CancellationToken cancellationToken = default)
    {
        var result = await ExecuteAsync<TagsRemoveData>(shop, TagsRemoveMutation, new { id = $"gid://shopify/Customer/{customerId}", tags }, cancellationToken);
        ThrowIfRefused("tagsRemove", result.Data.TagsRemove, result);
    }

    private static void ThrowIfRefused<T>(string mutation, TagsPayload? payload, GraphQLResult<T> result)
    {
        if (payload is null) throw new ShopifyGraphQLException(result.Errors, result.RequestId);
        if (payload.UserErrors.Count > 0) throw new ShopifyUserErrorsException(mutation, payload.UserErrors, result.RequestId);
    }

    public async Task<BulkOperation?> GetBulkOperationAsync(ShopifyCredentials shop, string bulkOperationId, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync<BulkNodeData>(shop, BulkOperationQuery, new { id = bulkOperationId }, cancellationToken)).Data.Node;
}
