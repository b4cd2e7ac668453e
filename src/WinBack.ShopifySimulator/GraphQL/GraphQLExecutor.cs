using System.Collections;
using System.Globalization;
using System.Text.Json;
using GraphQLParser.AST;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>
/// Executes a parsed GraphQL operation against <see cref="IGraphNode"/> resolvers, writing JSON as it goes.
/// Normal queries page connections (first/after, at most 250); bulk queries flatten every connection into JSONL lines.
/// </summary>
public static class GraphQLExecutor
{
    public const int MaxPageSize = 250;

    public static void WriteObject(Utf8JsonWriter writer, IGraphNode node, GraphQLSelectionSet selectionSet, ExecutionContext context, string? bulkParentId = null)
    {
        writer.WriteStartObject();
        foreach (var field in CollectFields(node.TypeName, selectionSet, context))
        {
            var key = ResponseKey(field);
            context.Path.Push(key);
            var name = field.Name.StringValue;
            if (name == "__typename")
            {
                writer.WriteString(key, node.TypeName);
            }
            else
            {
                var arguments = Arguments(field, context);
                var value = node.Resolve(name, arguments, context);
                if (context.BulkMode && value is IConnectionSource connection)
                {
                    context.DeferredConnections.Add((connection, field));
                }
                else
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, value, field, arguments, context);
                }
            }
            context.Path.Pop();
        }
        if (bulkParentId is not null) writer.WriteString("__parentId", bulkParentId);
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, GraphQLField field, FieldArguments arguments, ExecutionContext context)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case double d: writer.WriteNumberValue(d); break;
            case IConnectionSource source:
                context.ActualCost += 2;
                WriteValue(writer, Page(source, arguments), field, arguments, context);
                break;
            case IGraphNode child:
                if (field.SelectionSet is null)
                    throw new GraphQLRequestException($"Field must have selections (field '{field.Name.StringValue}' returns {child.TypeName} but has no selections.)", "selectionMismatch");
                if (!IsStructural(child)) context.ActualCost += 1;
                WriteObject(writer, child, field.SelectionSet, context);
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in list)
                {
                    context.Path.Push(index++);
                    WriteValue(writer, item, field, arguments, context);
                    context.Path.Pop();
                }
                writer.WriteEndArray();
                break;
            default:
                throw new InvalidOperationException($"A resolver returned {value.GetType().Name}, which the simulator cannot serialise.");
        }
    }

    /// <summary>Pages a connection the way Shopify does: forward with first/after; at most 250 per page.</summary>
    private static ConnectionPage Page(IConnectionSource source, FieldArguments arguments)
    {
        var first = arguments.Int("first");
        if (arguments.Int("last") is not null || arguments.String("before") is not null)
            throw new GraphQLRequestException("The simulator pages forward only: use first and after.");
        if (first is null)
            throw new GraphQLRequestException("you must provide one of first or last", "argumentLiteralsIncompatible");
        if (first is < 0 or > MaxPageSize)
            throw new GraphQLRequestException($"The 'first' argument must be between 0 and {MaxPageSize}.", "argumentLiteralsIncompatible");

        var after = arguments.String("after");
        var nodes = source.After(after).Take(first.Value + 1).ToList();
        var hasNext = nodes.Count > first.Value;
        if (hasNext) nodes.RemoveAt(nodes.Count - 1);
        return new ConnectionPage(source, nodes, hasNext, after is not null);
    }

    private static bool IsStructural(IGraphNode node) =>
        node is ConnectionPage || node.TypeName.EndsWith("Edge", StringComparison.Ordinal) || node.TypeName == "PageInfo";

    public static string ResponseKey(GraphQLField field) => field.Alias?.Name.StringValue ?? field.Name.StringValue;

    /// <summary>The fields of a selection set that apply to <paramref name="typeName"/>, fragments expanded.</summary>
    public static IEnumerable<GraphQLField> CollectFields(string typeName, GraphQLSelectionSet selectionSet, ExecutionContext context)
    {
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    yield return field;
                    break;
                case GraphQLInlineFragment inline when Applies(inline.TypeCondition, typeName):
                    foreach (var f in CollectFields(typeName, inline.SelectionSet, context)) yield return f;
                    break;
                case GraphQLFragmentSpread spread:
                    var fragmentName = spread.FragmentName.Name.StringValue;
                    if (!context.Fragments.TryGetValue(fragmentName, out var fragment))
                        throw new GraphQLRequestException($"Fragment {fragmentName} was used, but not defined", "useAndDefineFragment");
                    if (Applies(fragment.TypeCondition, typeName))
                        foreach (var f in CollectFields(typeName, fragment.SelectionSet, context)) yield return f;
                    break;
            }
        }
    }

    private static bool Applies(GraphQLTypeCondition? condition, string typeName) =>
        condition is null || condition.Type.Name.StringValue is var t && (t == typeName || t == "Node");

    public static FieldArguments Arguments(GraphQLField field, ExecutionContext context)
    {
        if (field.Arguments is null || field.Arguments.Count == 0) return FieldArguments.None;
        return new FieldArguments(field.Arguments.ToDictionary(a => a.Name.StringValue, a => ValueOf(a.Value, context.Variables)));
    }

    public static object? ValueOf(GraphQLValue value, IReadOnlyDictionary<string, object?> variables) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue s => s.Value.ToString(),
        GraphQLBooleanValue b => b.BoolValue,
        GraphQLIntValue i => long.Parse(i.Value.Span, CultureInfo.InvariantCulture),
        GraphQLFloatValue f => double.Parse(f.Value.Span, CultureInfo.InvariantCulture),
        GraphQLEnumValue e => e.Name.StringValue,
        GraphQLListValue l => (l.Values ?? []).Select(v => ValueOf(v, variables)).ToList(),
        GraphQLObjectValue o => (IReadOnlyDictionary<string, object?>)(o.Fields ?? []).ToDictionary(f => f.Name.StringValue, f => ValueOf(f.Value, variables)),
        GraphQLVariable v => variables.TryGetValue(v.Name.StringValue, out var bound) ? bound : null,
        _ => throw new GraphQLRequestException($"Unsupported value {value.Kind}."),
    };

    /// <summary>JSON variables as the same plain values literals produce.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => (IReadOnlyDictionary<string, object?>)element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        _ => null,
    };
}
