using System.Text.Json;
using System.Text.Json.Serialization;

namespace WinBack.Shopify;

public sealed record GraphQLError(string Message, string? Code, IReadOnlyList<JsonElement>? Path);

public sealed record UserError(IReadOnlyList<string>? Field, string Message, string? Code);

/// <summary>The bucket state Shopify reports on every answer (extensions.cost.throttleStatus).</summary>
public sealed record ThrottleStatus(double MaximumAvailable, double CurrentlyAvailable, double RestoreRate);

public sealed record QueryCost(double RequestedQueryCost, double? ActualQueryCost, ThrottleStatus ThrottleStatus);

/// <summary>A successful answer: the data, any partial errors (e.g. protected fields withheld), what it cost, and Shopify's request id.</summary>
public sealed record GraphQLResult<TData>(TData Data, IReadOnlyList<GraphQLError> Errors, QueryCost? Cost, string? RequestId);

public sealed record PageInfo(bool HasNextPage, string? EndCursor);

/// <summary>One page of a connection. The caller keeps <see cref="PageInfo.EndCursor"/> to checkpoint and to ask for the next page.</summary>
public sealed record Connection<TNode>(IReadOnlyList<TNode> Nodes, PageInfo PageInfo);

public sealed record Money(decimal Amount, string CurrencyCode);

public sealed record MoneyBag(Money ShopMoney, Money? PresentmentMoney);

internal static class ShopifyJson
{
    /// <summary>Shopify serialises UnsignedInt64 and Decimal as strings; read them as numbers.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };
}
