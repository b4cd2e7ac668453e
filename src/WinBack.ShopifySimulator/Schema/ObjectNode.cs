using WinBack.ShopifySimulator.GraphQL;

namespace WinBack.ShopifySimulator.Schema;

/// <summary>A plain object of fixed fields: mutation payloads, user errors, money.</summary>
public sealed class ObjectNode(string typeName, IReadOnlyDictionary<string, object?> fields) : IGraphNode
{
    public string TypeName => typeName;

    public object? Resolve(string field, FieldArguments arguments, GraphQL.ExecutionContext context) =>
        fields.TryGetValue(field, out var value) ? value : throw new UndefinedFieldException(typeName, field);

    public static ObjectNode MoneyV2(decimal amount, string currencyCode) => new("MoneyV2", new Dictionary<string, object?>
    {
        ["amount"] = ShopifyScalars.Decimal(amount),
        ["currencyCode"] = currencyCode,
    });

    public static ObjectNode MoneyBag(decimal shopAmount, string shopCurrency, decimal presentmentAmount, string presentmentCurrency) =>
        new("MoneyBag", new Dictionary<string, object?>
        {
            ["shopMoney"] = MoneyV2(shopAmount, shopCurrency),
            ["presentmentMoney"] = MoneyV2(presentmentAmount, presentmentCurrency),
        });

    public static ObjectNode UserError(string message, IReadOnlyList<string>? field = null, string? code = null) =>
        new("UserError", new Dictionary<string, object?>
        {
            ["field"] = field?.ToList<object?>(),
            ["message"] = message,
            ["code"] = code,
        });

    public static ObjectNode Payload(string typeName, params (string Field, object? Value)[] fields) =>
        new(typeName, fields.ToDictionary(f => f.Field, f => f.Value));
}
