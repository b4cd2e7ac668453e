using System.Text.Json;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using WinBack.ShopifySimulator.Schema;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>POST /admin/api/{version}/graphql.json: token check, cost accounting, execution, and Shopify's error shapes.</summary>
public static class AdminApiEndpoint
{
    public static IEndpointRouteBuilder MapSimulatedAdminApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/admin/api/{version}/graphql.json", HandleAsync);
        return routes;
    }

    private static async Task HandleAsync(HttpContext http, string version, SimulatorRuntime runtime)
    {
        http.Response.Headers["X-Request-Id"] = Guid.NewGuid().ToString();
        var shop = runtime.Store.Find(http.Request.Host.Host);
        if (shop is null)
        {
            await WriteAsync(http, 404, new { errors = "Not Found" });
            return;
        }

        if (!Authorized(shop, http.Request.Headers["X-Shopify-Access-Token"].ToString(), runtime.Time.GetUtcNow()))
        {
            await WriteAsync(http, 401, new { errors = "[API] Invalid API key or access token (unrecognized login or wrong password)" });
            return;
        }

        if (TryDequeue(shop.InjectedFailures, out var failure))
        {
            if (failure.RetryAfter is not null) http.Response.Headers.RetryAfter = failure.RetryAfter;
            await WriteAsync(http, failure.Status, new { errors = failure.Status == 429 ? "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." : "An unexpected error occurred" });
            return;
        }

        string? query;
        IReadOnlyDictionary<string, object?> variables;
        string? operationName;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var root = body.RootElement;
            query = root.TryGetProperty("query", out var q) ? q.GetString() : null;
            variables = root.TryGetProperty("variables", out var v) && v.ValueKind == JsonValueKind.Object
                ? (IReadOnlyDictionary<string, object?>)GraphQLExecutor.FromJson(v)!
                : new Dictionary<string, object?>();
            operationName = root.TryGetProperty("operationName", out var n) ? n.GetString() : null;
        }
        catch (JsonException)
        {
            query = null;
            variables = new Dictionary<string, object?>();
            operationName = null;
        }
        if (string.IsNullOrWhiteSpace(query))
        {
            await WriteAsync(http, 400, new { errors = new { query = "Required parameter missing or invalid" } });
            return;
        }

        GraphQLDocument document;
        try
        {
            document = Parser.Parse(query);
        }
        catch (GraphQLSyntaxErrorException e)
        {
            await WriteAsync(http, 200, new { errors = new[] { new { message = $"Parse error: {e.Description}", extensions = new { code = "syntaxError" } } } });
            return;
        }

        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var operation = operationName is null ? operations.SingleOrDefault() : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
        if (operation is null)
        {
            await WriteAsync(http, 200, new { errors = new[] { new { message = "An operation name is required", extensions = new { code = "operationNotFound" } } } });
            return;
        }

        var fragments = document.Definitions.OfType<GraphQLFragmentDefinition>().ToDictionary(f => f.FragmentName.Name.StringValue);
        byte[] response;
        lock (shop.Sync)
        {
            response = Execute(shop, runtime, operation, variables, fragments);
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.Body.WriteAsync(response);
    }

    private static byte[] Execute(SimulatedShop shop, SimulatorRuntime runtime, GraphQLOperationDefinition operation,
        IReadOnlyDictionary<string, object?> variables, IReadOnlyDictionary<string, GraphQLFragmentDefinition> fragments)
    {
        var context = new ExecutionContext(shop, runtime, variables, fragments);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);

        int requested;
        try
        {
            requested = QueryCostCalculator.Requested(operation, context);
        }
        catch (GraphQLRequestException e)
        {
            return ErrorResponse(writer, buffer, e.Message, e.Code, null, shop, context);
        }

        var maxCost = runtime.Options.MaxQueryCost;
        if (requested > maxCost)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("errors");
            writer.WriteStartObject();
            writer.WriteString("message", $"Query cost is {requested}, which exceeds the single query max cost limit ({maxCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n");
            writer.WriteStartObject("extensions");
            writer.WriteString("code", "MAX_COST_EXCEEDED");
            writer.WriteNumber("cost", requested);
            writer.WriteNumber("maxCost", maxCost);
            writer.WriteString("documentation", "https://shopify.dev/api/usage/limits#rate-limits");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        if (!shop.Bucket.TryTake(requested, context.Now))
            return ErrorResponse(writer, buffer, "Throttled", "THROTTLED", (requested, null), shop, context,
                "https://shopify.dev/api/usage/rate-limits");

        // Execute into a separate buffer first: a validation error discards the data and refunds the cost.
        var dataBuffer = new System.Buffers.ArrayBufferWriter<byte>();
        try
        {
            using var dataWriter = new Utf8JsonWriter(dataBuffer);
            IGraphNode root = operation.Operation == OperationType.Mutation ? new MutationRoot(shop) : new QueryRoot(shop);
            GraphQLExecutor.WriteObject(dataWriter, root, operation.SelectionSet, context);
        }
        catch (Exception e) when (e is UndefinedFieldException or GraphQLRequestException)
        {
            shop.Bucket.Refund(requested);
            var code = e is UndefinedFieldException ? "undefinedField" : ((GraphQLRequestException)e).Code;
            return ErrorResponse(writer, buffer, e.Message, code, (requested, 0), shop, context);
        }

        var actual = operation.Operation == OperationType.Mutation ? requested : Math.Min(requested, context.ActualCost);
        shop.Bucket.Refund(requested - actual);

        writer.WriteStartObject();
        writer.WritePropertyName("data");
        writer.WriteRawValue(dataBuffer.WrittenSpan, skipInputValidation: true);
        if (context.Errors.Count > 0)
        {
            writer.WritePropertyName("errors");
            JsonSerializer.Serialize(writer, context.Errors.Select(e => new { message = e.Message, path = e.Path, extensions = new { code = e.Code } }));
        }
        WriteCost(writer, requested, actual, shop, context);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] ErrorResponse(Utf8JsonWriter writer, System.Buffers.ArrayBufferWriter<byte> buffer, string message, string code,
        (int Requested, int? Actual)? cost, SimulatedShop shop, ExecutionContext context, string? documentation = null)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("errors");
        writer.WriteStartObject();
        writer.WriteString("message", message);
        writer.WriteStartObject("extensions");
        writer.WriteString("code", code);
        if (documentation is not null) writer.WriteString("documentation", documentation);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        if (cost is { } c) WriteCost(writer, c.Requested, c.Actual, shop, context);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCost(Utf8JsonWriter writer, int requested, int? actual, SimulatedShop shop, ExecutionContext context)
    {
        writer.WriteStartObject("extensions");
        writer.WriteStartObject("cost");
        writer.WriteNumber("requestedQueryCost", requested);
        if (actual is { } a) writer.WriteNumber("actualQueryCost", a); else writer.WriteNull("actualQueryCost");
        writer.WriteStartObject("throttleStatus");
        writer.WriteNumber("maximumAvailable", shop.Bucket.Maximum);
        writer.WriteNumber("currentlyAvailable", Math.Floor(shop.Bucket.Available(context.Now)));
        writer.WriteNumber("restoreRate", shop.Bucket.RestoreRate);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static bool Authorized(SimulatedShop shop, string token, DateTimeOffset now)
    {
        lock (shop.Sync)
        {
            return shop.Installation is { IsInstalled: true } installation
                && installation.AccessTokens.TryGetValue(token, out var expiresAt)
                && (expiresAt is null || expiresAt > now);
        }
    }

    private static bool TryDequeue(Queue<(int, string?)> queue, out (int Status, string? RetryAfter) item)
    {
        lock (queue) return queue.TryDequeue(out item);
    }

    private static Task WriteAsync(HttpContext http, int status, object body)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(body);
    }
}
