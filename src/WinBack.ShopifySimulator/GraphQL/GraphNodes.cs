namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>An object in the simulated Admin schema. Resolvers return scalars (already serialised the way Shopify
/// serialises them: money and UnsignedInt64 as strings), other nodes, lists, or a <see cref="IConnectionSource"/>.</summary>
public interface IGraphNode
{
    string TypeName { get; }

    /// <summary>Resolves one field; throws <see cref="UndefinedFieldException"/> for a field the type does not have.</summary>
    object? Resolve(string field, FieldArguments arguments, ExecutionContext context);
}

/// <summary>A connection field before paging: the executor pages it for a normal query and flattens it for a bulk query.</summary>
public interface IConnectionSource
{
    string NodeTypeName { get; }

    /// <summary>Every node, in sort order; bulk operations read this.</summary>
    IEnumerable<IGraphNode> All();

    /// <summary>A sort key per node, encoded into opaque cursors.</summary>
    string CursorOf(IGraphNode node);

    /// <summary>Nodes after <paramref name="cursor"/> (exclusive), in sort order.</summary>
    IEnumerable<IGraphNode> After(string? cursor);
}

public sealed class UndefinedFieldException(string type, string field)
    : Exception($"Field '{field}' doesn't exist on type '{type}'")
{
    public string Type { get; } = type;
    public string Field { get; } = field;
}

/// <summary>A request error the client caused (bad argument, bad cursor): reported as a GraphQL error, no data.</summary>
public sealed class GraphQLRequestException(string message, string code = "BAD_REQUEST") : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Arguments with variables already substituted, as plain .NET values (string, long, double, bool, lists, dictionaries).</summary>
public sealed class FieldArguments(IReadOnlyDictionary<string, object?> values)
{
    public static readonly FieldArguments None = new(new Dictionary<string, object?>());

    public IReadOnlyDictionary<string, object?> Values { get; } = values;

    public object? this[string name] => Values.GetValueOrDefault(name);

    public string? String(string name) => this[name]?.ToString();

    public int? Int(string name) => this[name] switch
    {
        null => null,
        long l => checked((int)l),
        int i => i,
        double d => (int)d,
        string s when int.TryParse(s, out var v) => v,
        var other => throw new GraphQLRequestException($"Argument '{name}' must be an integer, got {other}."),
    };

    public bool? Bool(string name) => this[name] as bool?;

    public IReadOnlyDictionary<string, object?> Object(string name) =>
        this[name] as IReadOnlyDictionary<string, object?> ?? throw new GraphQLRequestException($"Argument '{name}' is required.", "INVALID");
}

/// <summary>A page of a connection, as the executor presents it: nodes, edges with cursors, pageInfo.</summary>
internal sealed class ConnectionPage(IConnectionSource source, IReadOnlyList<IGraphNode> nodes, bool hasNextPage, bool hasPreviousPage) : IGraphNode
{
    public string TypeName => source.NodeTypeName + "Connection";
    public IReadOnlyList<IGraphNode> Nodes => nodes;

    public object? Resolve(string field, FieldArguments arguments, ExecutionContext context) => field switch
    {
        "nodes" => nodes,
        "edges" => nodes.Select(n => (IGraphNode)new Edge(source, n)).ToList(),
        "pageInfo" => new PageInfoNode(
            hasNextPage, hasPreviousPage,
            nodes.Count > 0 ? source.CursorOf(nodes[0]) : null,
            nodes.Count > 0 ? source.CursorOf(nodes[^1]) : null),
        _ => throw new UndefinedFieldException(TypeName, field),
    };

    private sealed class Edge(IConnectionSource source, IGraphNode node) : IGraphNode
    {
        public string TypeName => source.NodeTypeName + "Edge";
        public object? Resolve(string field, FieldArguments arguments, ExecutionContext context) => field switch
        {
            "node" => node,
            "cursor" => source.CursorOf(node),
            _ => throw new UndefinedFieldException(TypeName, field),
        };
    }

    private sealed class PageInfoNode(bool hasNext, bool hasPrevious, string? start, string? end) : IGraphNode
    {
        public string TypeName => "PageInfo";
        public object? Resolve(string field, FieldArguments arguments, ExecutionContext context) => field switch
        {
            "hasNextPage" => hasNext,
            "hasPreviousPage" => hasPrevious,
            "startCursor" => start,
            "endCursor" => end,
            _ => throw new UndefinedFieldException(TypeName, field),
        };
    }
}
