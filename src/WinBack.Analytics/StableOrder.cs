namespace WinBack.Analytics;

/// <summary>
/// Indexes ordered by a value, ties by index, sorted as plain numbers: a million customers sorted through a comparer
/// (LINQ's <c>OrderBy(...).ThenBy(...)</c>, or a comparison of both) took a third of a second and more each time.
/// </summary>
internal static class StableOrder
{
    /// <summary>
    /// The indexes of <paramref name="keys"/> by key, then by <paramref name="thenBy"/> when given, then by index:
    /// each run of equal keys is sorted by the second key, and each run equal in both by index. <paramref name="keys"/> is
    /// the sort's scratch (sorted, then each run of equal keys overwritten by its second keys).
    /// </summary>
    public static int[] Of(double[] keys, IReadOnlyList<double>? thenBy = null)
    {
        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(keys, order);
        foreach (var (start, end) in EqualRuns(keys, 0, keys.Length))
        {
            if (thenBy is null)
            {
                Array.Sort(order, start, end - start);
                continue;
            }
            // The run's keys are equal and read no more: they become its second keys.
            for (var k = start; k < end; k++) keys[k] = thenBy[order[k]];
            Array.Sort(keys, order, start, end - start);
            foreach (var (tieStart, tieEnd) in EqualRuns(keys, start, end)) Array.Sort(order, tieStart, tieEnd - tieStart);
        }
        return order;
    }

    /// <summary>The runs of two or more equal keys in sorted <paramref name="keys"/>[from..to), as [start, end) ranges.</summary>
    private static IEnumerable<(int Start, int End)> EqualRuns(double[] keys, int from, int to)
    {
        for (var start = from; start < to;)
        {
            var end = start + 1;
            while (end < to && keys[end].CompareTo(keys[start]) == 0) end++;
            if (end - start > 1) yield return (start, end);
            start = end;
        }
    }
}
