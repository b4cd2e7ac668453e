using System.Collections;

namespace WinBack.Analytics;

/// <summary>
/// Customers' (x, t_x, T) summaries that no longer change, with their grouping into distinct (x, t_x, T) made once, on
/// first use, and shared by every fit and forecast given this list: a large shop's refit fits, checks and forecasts the
/// same million customers several times, and each would otherwise group them again. Any other list is grouped per use.
/// </summary>
public sealed class RepeatBuyers : IReadOnlyList<RepeatBuyer>
{
    private readonly RepeatBuyer[] _customers;
    private readonly Lazy<GroupedCustomers> _grouped;

    public RepeatBuyers(IEnumerable<RepeatBuyer> customers)
    {
        _customers = [.. customers];
        _grouped = new(() => new GroupedCustomers(_customers));
    }

    /// <summary><paramref name="customers"/> as a list whose grouping is shared: itself if it is one, else a copy (a copy costs less than a second grouping).</summary>
    public static RepeatBuyers Shared(IReadOnlyList<RepeatBuyer> customers) => customers as RepeatBuyers ?? new RepeatBuyers(customers);

    /// <summary>The grouping of <paramref name="customers"/>: the shared one of a <see cref="RepeatBuyers"/>, else made now.</summary>
    internal static GroupedCustomers GroupedOf(IReadOnlyList<RepeatBuyer> customers) =>
        customers is RepeatBuyers shared ? shared._grouped.Value : new GroupedCustomers(customers);

    public RepeatBuyer this[int index] => _customers[index];

    public int Count => _customers.Length;

    public IEnumerator<RepeatBuyer> GetEnumerator() => ((IEnumerable<RepeatBuyer>)_customers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
