using System.Runtime.InteropServices;

namespace WinBack.Analytics;

/// <summary>
/// Customers folded for fitting: equal (x, t_x, T) become one weighted term, and the parts of the likelihood that depend
/// on x, T or t_x alone (or on x with one of the times) can be computed once per distinct value.
/// </summary>
internal sealed class GroupedCustomers
{
    private readonly Lazy<((int Frequency, double Time)[] Pairs, int[] Recency, int[] Age)> _pairs;

    public GroupedCustomers(IReadOnlyList<RepeatBuyer> customers)
        : this(Count(customers, out var counts, out var groupOf), counts, customers.Count) => GroupOf = groupOf;

    private GroupedCustomers(RepeatBuyer[] customers, double[] counts, int size)
    {
        Size = size;
        Customers = customers;
        Counts = counts;
        Frequencies = Customers.Select(c => c.Frequency).Distinct().Order().ToArray();
        Ages = Customers.Select(c => c.Age).Distinct().Order().ToArray();
        Recencies = Customers.Select(c => c.Recency).Distinct().Order().ToArray();
        FrequencyIndex = Customers.Select(c => Array.BinarySearch(Frequencies, c.Frequency)).ToArray();
        AgeIndex = Customers.Select(c => Array.BinarySearch(Ages, c.Age)).ToArray();
        RecencyIndex = Customers.Select(c => Array.BinarySearch(Recencies, c.Recency)).ToArray();
        _pairs = new(() => PairsOf(Customers));
    }

    /// <summary>
    /// The groups in the order their first customer came, how many customers each stands for, and each customer's group in
    /// <paramref name="groupOf"/>. Counted in a dictionary rather than grouped (a million customers should not become a
    /// million lists), and the groups' arrays made once at their final size.
    /// </summary>
    private static RepeatBuyer[] Count(IReadOnlyList<RepeatBuyer> customers, out double[] counts, out int[] groupOf)
    {
        var groupAt = new Dictionary<(int Frequency, double Recency, double Age), int>();
        groupOf = new int[customers.Count];
        for (var i = 0; i < customers.Count; i++)
        {
            var c = customers[i];
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groupAt, (c.Frequency, c.Recency, c.Age), out var seen);
            if (!seen) group = groupAt.Count - 1;
            groupOf[i] = group;
        }
        var groups = new RepeatBuyer[groupAt.Count];
        foreach (var ((frequency, recency, age), group) in groupAt) groups[group] = new RepeatBuyer(frequency, recency, age);
        counts = new double[groups.Length];
        foreach (var group in groupOf) counts[group]++;
        return groups;
    }

    /// <summary>The distinct (x, t_x) and (x, T) of the groups, in the order first met, and where each group's two stand among them.</summary>
    private static ((int, double)[], int[], int[]) PairsOf(RepeatBuyer[] customers)
    {
        var pairAt = new Dictionary<(int Frequency, double Time), int>();
        int IndexOf(int frequency, double time)
        {
            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(pairAt, (frequency, time), out var seen);
            if (!seen) index = pairAt.Count - 1;
            return index;
        }
        var (atRecency, atAge) = (new int[customers.Length], new int[customers.Length]);
        for (var g = 0; g < customers.Length; g++)
        {
            atRecency[g] = IndexOf(customers[g].Frequency, customers[g].Recency);
            atAge[g] = IndexOf(customers[g].Frequency, customers[g].Age);
        }
        var pairs = new (int, double)[pairAt.Count];
        foreach (var (pair, index) in pairAt) pairs[index] = pair;
        return (pairs, atRecency, atAge);
    }

    /// <summary>
    /// At most <paramref name="groups"/> of the groups, every k-th in the order customers were first seen (so a spread of
    /// every kind, not the first ones), with their own counts; this set itself when it is no larger.
    /// </summary>
    public GroupedCustomers Sample(int groups)
    {
        if (Customers.Length <= groups) return this;
        var step = (double)Customers.Length / groups;
        var picked = Enumerable.Range(0, groups).Select(i => (int)(i * step)).ToArray();
        var counts = Array.ConvertAll(picked, g => Counts[g]);
        return new GroupedCustomers(Array.ConvertAll(picked, g => Customers[g]), counts, (int)counts.Sum());
    }

    /// <summary>How many customers were folded.</summary>
    public int Size { get; }

    /// <summary>For each customer folded, in their order, the index of their group (null for a <see cref="Sample"/>).</summary>
    public int[]? GroupOf { get; }

    /// <summary>One customer for each distinct (x, t_x, T).</summary>
    public RepeatBuyer[] Customers { get; }

    /// <summary>How many customers each of <see cref="Customers"/> stands for.</summary>
    public double[] Counts { get; }

    /// <summary>The distinct x, T and t_x, in order, and where each group's stand among them.</summary>
    public int[] Frequencies { get; }

    public double[] Ages { get; }

    public double[] Recencies { get; }

    public int[] FrequencyIndex { get; }

    public int[] AgeIndex { get; }

    public int[] RecencyIndex { get; }

    /// <summary>The distinct (x, t) with t a recency or an age of a customer with that x: Pareto/NBD's ₂F₁ terms.</summary>
    public (int Frequency, double Time)[] Pairs => _pairs.Value.Pairs;

    /// <summary>For each group, where its (x, t_x) and its (x, T) stand in <see cref="Pairs"/>.</summary>
    public (int[] Recency, int[] Age) PairIndex => (_pairs.Value.Recency, _pairs.Value.Age);

    /// <summary>
    /// Σ over i &lt; <paramref name="count"/> of <paramref name="term"/>(i, gradient), in fixed chunks spread over the cores
    /// and added in chunk order, so the sum is the same however the threads ran. Each term adds its gradient (if asked
    /// for) into the chunk's own array.
    /// </summary>
    public static double Sum(int count, Func<int, double[]?, double> term, double[]? gradient)
    {
        var chunks = (count + Chunk - 1) / Chunk;
        var sums = new double[chunks];
        var gradients = gradient is null ? null : new double[chunks][];
        Chunks(count, (k, from, to) =>
        {
            var own = gradient is null ? null : gradients![k] = new double[gradient.Length];
            var sum = 0.0;
            for (var i = from; i < to; i++) sum += term(i, own);
            sums[k] = sum;
        });
        if (gradient is not null)
        {
            Array.Clear(gradient);
            foreach (var own in gradients!)
                for (var j = 0; j < gradient.Length; j++) gradient[j] += own[j];
        }
        return sums.Sum();
    }

    /// <summary><paramref name="body"/> for each i &lt; <paramref name="count"/>, in the same chunks over the cores.</summary>
    public static void InChunks(int count, Action<int> body) => Chunks(count, (_, from, to) =>
    {
        for (var i = from; i < to; i++) body(i);
    });

    private const int Chunk = 4096;

    private static void Chunks(int count, Action<int, int, int> chunk)
    {
        var chunks = (count + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks > 1 ? -1 : 1 }, k => chunk(k, k * Chunk, Math.Min(count, (k + 1) * Chunk)));
    }
}
