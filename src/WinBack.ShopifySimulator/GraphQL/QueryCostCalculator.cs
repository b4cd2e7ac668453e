using GraphQLParser.AST;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>
/// Shopify's requested-cost rule, computed before execution: scalars 0, objects 1, connections 2 + first × node cost,
/// mutations 10. https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
/// </summary>
public static class QueryCostCalculator
{
    public const int MutationCost = 10;

    public static int Requested(GraphQLOperationDefinition operation, ExecutionContext context) =>
        operation.Operation == OperationType.Mutation
            ? MutationCost * Fields(operation.SelectionSet, context).Count()
            : SelectionCost(operation.SelectionSet, context);

    private static int SelectionCost(GraphQLSelectionSet? selectionSet, ExecutionContext context) =>
        selectionSet is null ? 0 : Fields(selectionSet, context).Sum(f => FieldCost(f, context));

    private static int FieldCost(GraphQLField field, ExecutionContext context)
    {
        if (field.SelectionSet is null || field.Name.StringValue == "pageInfo") return 0;
        var arguments = GraphQLExecutor.Arguments(field, context);
        var pageSize = arguments.Int("first") ?? arguments.Int("last");
        return pageSize is null
            ? 1 + SelectionCost(field.SelectionSet, context)
            : 2 + pageSize.Value * NodeCost(field.SelectionSet, context);
    }

    private static int NodeCost(GraphQLSelectionSet connectionSelection, ExecutionContext context) =>
        Fields(connectionSelection, context).Sum(f => f.Name.StringValue switch
        {
            "nodes" => 1 + SelectionCost(f.SelectionSet, context),
            "edges" => f.SelectionSet is null ? 0 : Fields(f.SelectionSet, context)
                .Where(e => e.Name.StringValue == "node")
                .Sum(e => 1 + SelectionCost(e.SelectionSet, context)),
            _ => 0,
        });

    // Cost is an upper bound, so every fragment counts whatever type it applies to.
    private static IEnumerable<GraphQLField> Fields(GraphQLSelectionSet selectionSet, ExecutionContext context)
    {
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    yield return field;
                    break;
                case GraphQLInlineFragment inline:
                    foreach (var f in Fields(inline.SelectionSet, context)) yield return f;
                    break;
                case GraphQLFragmentSpread spread when context.Fragments.TryGetValue(spread.FragmentName.Name.StringValue, out var fragment):
                    foreach (var f in Fields(fragment.SelectionSet, context)) yield return f;
                    break;
            }
        }
    }
}
