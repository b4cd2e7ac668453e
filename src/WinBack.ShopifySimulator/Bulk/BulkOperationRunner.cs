using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;
using WinBack.ShopifySimulator.GraphQL;
using WinBack.ShopifySimulator.Schema;
using WinBack.ShopifySimulator.Store;
using WinBack.ShopifySimulator.Webhooks;

namespace WinBack.ShopifySimulator.Bulk;

/// <summary>
/// Runs bulkOperationRunQuery: validates the query as Shopify does (at most 5 connections, 2 levels deep), writes the
/// result as JSONL (nested connection nodes as their own lines with "__parentId", after their parent but not next to it),
/// and serves it from a signed URL that expires.
/// </summary>
public sealed class BulkOperationRunner(IOptions<SimulatorOptions> options, TimeProvider time, WebhookDispatcher webhooks, ILogger<BulkOperationRunner> logger)
{
    public const int MaxConcurrentOperations = 5;
    private const int MaxConnections = 5;
    private const int MaxDepth = 2;
    private const int ParentsPerFlush = 50;
    private static readonly HashSet<string> ConnectionFields = ["customers", "orders", "lineItems"];

    private readonly SimulatorOptions _options = options.Value;

    /// <summary>The simulator's own base URL, for download links; set when the server starts.</summary>
    public Uri PublicBaseUrl { get; set; } = new("http://127.0.0.1/");

    /// <summary>Shops whose next bulk operation fails half-way with INTERNAL_SERVER_ERROR (tests of resumption).</summary>
    public HashSet<string> FailNextOperationFor { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs before a result file is served (shop, operation), so a test can change the world while an import reads it.</summary>
    public Func<SimulatedShop, SimulatedBulkOperation, Task>? BeforeDownload { get; set; }

    /// <summary>Called under the shop's lock by the mutation.</summary>
    public (SimulatedBulkOperation? Operation, ObjectNode? Error) Start(SimulatedShop shop, string query, SimulatorRuntime runtime)
    {
        GraphQLDocument document;
        try
        {
            document = Parser.Parse(query);
        }
        catch (GraphQLSyntaxErrorException e)
        {
            return (null, ObjectNode.UserError($"Invalid bulk query: {e.Description}", ["query"], "INVALID"));
        }

        if (Validate(document) is { } invalid) return (null, ObjectNode.UserError(invalid, ["query"], "INVALID"));
        if (shop.BulkOperations.Values.Count(op => op.Status is "CREATED" or "RUNNING") >= MaxConcurrentOperations)
            return (null, ObjectNode.UserError("A bulk query operation for this app and shop is already in progress", null, "OPERATION_IN_PROGRESS"));

        var operation = new SimulatedBulkOperation { Id = RandomNumberGenerator.GetInt32(1, int.MaxValue), Query = query, CreatedAt = time.GetUtcNow() };
        shop.BulkOperations[operation.Id] = operation;
        var failHalfWay = FailNextOperationFor.Remove(shop.Domain);
        _ = Task.Run(() => Run(shop, operation, document, failHalfWay, runtime));
        return (operation, null);
    }

    public void Cancel(SimulatedBulkOperation operation)
    {
        if (operation.Status is "CREATED" or "RUNNING") operation.Status = "CANCELING";
        operation.Cancellation.Cancel();
    }

    public string StatusOf(SimulatedBulkOperation operation) =>
        operation.Status == "COMPLETED" && operation.CompletedAt + _options.BulkResultLifetime < time.GetUtcNow() ? "EXPIRED" : operation.Status;

    public Uri DownloadUrl(SimulatedBulkOperation operation, SimulatedShop shop)
    {
        var expires = ((operation.CompletedAt ?? operation.CreatedAt) + _options.BulkResultLifetime).ToUnixTimeSeconds();
        var signature = Signature(shop.Domain, operation.Id, expires);
        return new Uri(PublicBaseUrl, $"bulk-results/{shop.Domain}/{operation.Id}.jsonl?expires={expires}&signature={signature}");
    }

    /// <summary>The result file, if the signature is right and the link has not expired.</summary>
    public string? ResultFile(SimulatedShop shop, long operationId, long expires, string signature)
    {
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(shop.Domain, operationId, expires)), Encoding.ASCII.GetBytes(signature)))
            return null;
        if (DateTimeOffset.FromUnixTimeSeconds(expires) < time.GetUtcNow()) return null;
        lock (shop.Sync) return shop.BulkOperations.GetValueOrDefault(operationId)?.FilePath;
    }

    private string Signature(string shop, long id, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.ApiSecret), Encoding.UTF8.GetBytes($"{shop}/{id}/{expires}")));

    private static string? Validate(GraphQLDocument document)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        if (operations.Count != 1 || operations[0].Operation != OperationType.Query) return "Bulk queries must contain exactly one query operation.";
        var roots = operations[0].SelectionSet.Selections.OfType<GraphQLField>().ToList();
        if (roots.Count != 1 || !ConnectionFields.Contains(roots[0].Name.StringValue))
            return "Bulk queries must contain at least one connection.";
        var connections = 0;
        var tooDeep = false;
        void Walk(GraphQLSelectionSet? set, int depth)
        {
            if (set is null) return;
            foreach (var field in set.Selections.OfType<GraphQLField>())
            {
                var nested = depth;
                if (ConnectionFields.Contains(field.Name.StringValue))
                {
                    connections++;
                    nested = depth + 1;
                    if (nested > MaxDepth) tooDeep = true;
                }
                Walk(field.SelectionSet, nested);
            }
            foreach (var inline in set.Selections.OfType<GraphQLInlineFragment>()) Walk(inline.SelectionSet, depth);
        }
        Walk(operations[0].SelectionSet, 0);
        if (connections > MaxConnections) return $"Bulk queries cannot contain more than {MaxConnections} connections.";
        return tooDeep ? $"Bulk queries cannot contain connections with a nesting depth greater than {MaxDepth}." : null;
    }

    private void Run(SimulatedShop shop, SimulatedBulkOperation operation, GraphQLDocument document, bool failHalfWay, SimulatorRuntime runtime)
    {
        var folder = _options.BulkResultFolder ?? Path.Combine(Path.GetTempPath(), "winback-simulator-bulk");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{shop.Domain}-{operation.Id}.jsonl");
        try
        {
            lock (shop.Sync) operation.Status = "RUNNING";
            // Like Shopify, the export is not a snapshot: the shop is locked per batch of parents, not for the whole
            // run, so status polls, webhooks and the merchant's own changes go on while a large export is written.
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16))
            {
                var context = new GraphQL.ExecutionContext(shop, runtime, new Dictionary<string, object?>(), new Dictionary<string, GraphQLFragmentDefinition>())
                    { BulkMode = true };
                var operationDefinition = document.Definitions.OfType<GraphQLOperationDefinition>().Single();
                var rootField = (GraphQLField)operationDefinition.SelectionSet.Selections.Single(s => s is GraphQLField);
                List<IGraphNode> roots;
                lock (shop.Sync)
                {
                    var root = new QueryRoot(shop).Resolve(rootField.Name.StringValue, GraphQLExecutor.Arguments(rootField, context), context);
                    if (root is not IConnectionSource source) throw new InvalidOperationException("The bulk query's root is not a connection.");
                    roots = source.All().ToList();
                }
                var failAfter = failHalfWay ? roots.Count / 2 + 1 : long.MaxValue;
                var writer = new LineWriter(file);
                foreach (var batch in roots.Chunk(ParentsPerFlush))
                {
                    lock (shop.Sync) operation.RootObjectCount +=
                        WriteConnection(writer, batch, rootField.SelectionSet!, null, context, operation, failAfter);
                }
            }

            lock (shop.Sync)
            {
                operation.FilePath = path;
                operation.FileSize = new FileInfo(path).Length;
                operation.CompletedAt = time.GetUtcNow();
                operation.Status = operation.Cancellation.IsCancellationRequested ? "CANCELED" : "COMPLETED";
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Bulk operation {Id} for {Shop} failed", operation.Id, shop.Domain);
            lock (shop.Sync)
            {
                operation.FilePath = File.Exists(path) ? path : null;
                operation.FileSize = File.Exists(path) ? new FileInfo(path).Length : 0;
                operation.CompletedAt = time.GetUtcNow();
                operation.Status = "FAILED";
                operation.ErrorCode = "INTERNAL_SERVER_ERROR";
            }
        }

        lock (shop.Sync) webhooks.Publish(shop, WebhookTopics.BulkOperationsFinish, WebhookPayloads.BulkOperationFinish(operation, operation.Status));
    }

    /// <summary>Writes the nodes, then the nested connections of each batch of them (a child line after its parent, not next to it).</summary>
    private static long WriteConnection(LineWriter output, IEnumerable<IGraphNode> nodes, GraphQLSelectionSet connectionSelection, string? parentId,
        GraphQL.ExecutionContext context, SimulatedBulkOperation operation, long failAfter)
    {
        var nodeSelection = NodeSelection(connectionSelection, context);
        var pendingChildren = new List<(IConnectionSource Source, GraphQLField Field, string ParentId)>();
        long written = 0;
        foreach (var node in nodes)
        {
            operation.Cancellation.Token.ThrowIfCancellationRequested();
            if (operation.ObjectCount >= failAfter) throw new IOException("Simulated failure half-way through the bulk operation.");
            context.DeferredConnections.Clear();
            output.Write(node, nodeSelection, parentId, context);
            operation.ObjectCount++;
            written++;
            var id = node.Resolve("id", FieldArguments.None, context) as string ?? "";
            pendingChildren.AddRange(context.DeferredConnections.Select(d => (d.Source, d.Field, id)));
            if (written % ParentsPerFlush == 0) FlushChildren();
        }
        FlushChildren();
        return written;

        void FlushChildren()
        {
            var children = pendingChildren.ToList();
            pendingChildren.Clear();
            foreach (var (childSource, field, id) in children)
                WriteConnection(output, childSource.All(), field.SelectionSet!, id, context, operation, failAfter);
        }
    }

    /// <summary>One JSON object per line, through one reused writer.</summary>
    private sealed class LineWriter(Stream output)
    {
        private readonly Utf8JsonWriter _writer = new(output);

        public void Write(IGraphNode node, GraphQLSelectionSet selection, string? parentId, GraphQL.ExecutionContext context)
        {
            _writer.Reset(output);
            GraphQLExecutor.WriteObject(_writer, node, selection, context, parentId);
            _writer.Flush();
            output.WriteByte((byte)'\n');
        }
    }

    private static GraphQLSelectionSet NodeSelection(GraphQLSelectionSet connectionSelection, GraphQL.ExecutionContext context)
    {
        foreach (var field in GraphQLExecutor.CollectFields("", connectionSelection, context))
        {
            if (field.Name.StringValue == "nodes" && field.SelectionSet is not null) return field.SelectionSet;
            if (field.Name.StringValue == "edges" && field.SelectionSet is not null)
                foreach (var inner in GraphQLExecutor.CollectFields("", field.SelectionSet, context))
                    if (inner.Name.StringValue == "node" && inner.SelectionSet is not null) return inner.SelectionSet;
        }
        throw new GraphQLRequestException("A connection in a bulk query must select edges { node } or nodes.", "INVALID");
    }
}
