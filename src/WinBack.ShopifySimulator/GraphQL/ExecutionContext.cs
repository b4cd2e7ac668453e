using GraphQLParser.AST;
using WinBack.ShopifySimulator.Store;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>Everything one GraphQL request runs with: the shop and app, the clock, variables, fragments, and what it produced besides data.</summary>
public sealed class ExecutionContext(
    SimulatedShop shop,
    SimulatorRuntime runtime,
    IReadOnlyDictionary<string, object?> variables,
    IReadOnlyDictionary<string, GraphQLFragmentDefinition> fragments)
{
    public SimulatedShop Shop { get; } = shop;
    public SimulatorRuntime Runtime { get; } = runtime;
    public DateTimeOffset Now { get; } = runtime.Time.GetUtcNow();
    public IReadOnlyDictionary<string, object?> Variables { get; } = variables;
    public IReadOnlyDictionary<string, GraphQLFragmentDefinition> Fragments { get; } = fragments;
    public List<GraphQLErrorEntry> Errors { get; } = [];
    public Stack<object> Path { get; } = new();

    /// <summary>Actual cost: objects returned count 1, connections 2 (Shopify's rule), tallied as the response is written.</summary>
    public int ActualCost { get; set; }

    /// <summary>Bulk queries flatten connections: instead of paging them, the executor leaves them here for the bulk writer.</summary>
    public bool BulkMode { get; init; }
    public List<(IConnectionSource Source, GraphQLField Field)> DeferredConnections { get; } = [];

    /// <summary>Adds a field-level error (data still returned), e.g. a protected field withheld.</summary>
    public void AddFieldError(string message, string code) =>
        Errors.Add(new GraphQLErrorEntry(message, code, Path.Reverse().ToList()));
}

public sealed record GraphQLErrorEntry(string Message, string Code, IReadOnlyList<object>? Path = null, IReadOnlyDictionary<string, object>? Extensions = null);
