using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace WinBack.ShopifySimulator.GraphQL;

/// <summary>A node that can say where it sits in a sort order, so connections can hand out cursors for it.</summary>
public interface ISortableNode : IGraphNode
{
    long Id { get; }
    long SortValue(string sortKey);
}

/// <summary>A connection over a list already filtered and sorted by (sort value, id); cursors encode that pair.</summary>
public sealed class ListConnection<T>(string nodeTypeName, string sortKey, IReadOnlyList<T> sorted, Func<T, ISortableNode> wrap) : IConnectionSource
{
    public string NodeTypeName => nodeTypeName;

    public IEnumerable<IGraphNode> All() => sorted.Select(wrap);

    public string CursorOf(IGraphNode node)
    {
        var sortable = (ISortableNode)node;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{sortKey}:{sortable.SortValue(sortKey)}:{sortable.Id}")));
    }

    public IEnumerable<IGraphNode> After(string? cursor)
    {
        if (cursor is null) return sorted.Select(wrap);
        var (value, id) = Decode(cursor);
        var start = FirstAfter(value, id);
        return Enumerable.Range(start, sorted.Count - start).Select(i => (IGraphNode)wrap(sorted[i]));
    }

    private int FirstAfter(long value, long id)
    {
        int low = 0, high = sorted.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            var node = wrap(sorted[mid]);
            var key = (node.SortValue(sortKey), node.Id);
            if (key.CompareTo((value, id)) <= 0) low = mid + 1; else high = mid;
        }
        return low;
    }

    private (long Value, long Id) Decode(string cursor)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
            if (parts.Length == 3 && parts[0] == sortKey)
                return (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
        }
        throw new GraphQLRequestException($"Invalid cursor for sort key {sortKey}.", "INVALID_CURSOR");
    }
}
