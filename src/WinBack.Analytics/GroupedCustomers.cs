using System.Runtime.InteropServices;
using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// Customers folded for fitting: equal (x, t_x, T) become one weighted term, and every part of the likelihood that
/// depends on x, T or t_x alone (or on x with one of the times) is computed once per distinct value, so a million
/// customers cost a few thousand log-gammas.
/// </summary>
internal sealed class GroupedCustomers
{
    private readonly double[] _xs, _ages, _recencies;
    private readonly int[] _xIndex, _ageIndex, _recencyIndex;
    private readonly Lazy<(int Frequency, double Time)[]> _pairs;
    private readonly Lazy<(int[] Recency, int[] Age)> _pairIndex;

    public GroupedCustomers(IReadOnlyList<RepeatBuyer> customers)
    {
        // Counted in a dictionary rather than grouped: a million customers should not become a million lists.
        var counts = new Dictionary<(int Frequency, double Recency, double Age), int>();
        foreach (var c in customers) CollectionsMarshal.GetValueRefOrAddDefault(counts, (c.Frequency, c.Recency, c.Age), out _)++;
        var groups = counts.Select(g => (g.Key, Count: g.Value)).ToArray();
        Customers = groups.Select(g => new RepeatBuyer(g.Key.Frequency, g.Key.Recency, g.Key.Age)).ToArray();
        Counts = groups.Select(g => (double)g.Count).ToArray();
        _xs = groups.Select(g => (double)g.Key.Frequency).Distinct().Order().ToArray();
        _ages = groups.Select(g => g.Key.Age).Distinct().Order().ToArray();
        _recencies = groups.Select(g => g.Key.Recency).Distinct().Order().ToArray();
        _xIndex = groups.Select(g => Array.BinarySearch(_xs, (double)g.Key.Frequency)).ToArray();
        _ageIndex = groups.Select(g => Array.BinarySearch(_ages, g.Key.Age)).ToArray();
        _recencyIndex = groups.Select(g => Array.BinarySearch(_recencies, g.Key.Recency)).ToArray();
        _pairs = new(() => Customers.SelectMany(c => new[] { (c.Frequency, c.Recency), (c.Frequency, c.Age) }).Distinct().ToArray());
        _pairIndex = new(() =>
        {
            var index = _pairs.Value.Select((p, i) => (p, i)).ToDictionary(p => p.p, p => p.i);
            return (Customers.Select(c => index[(c.Frequency, c.Recency)]).ToArray(), Customers.Select(c => index[(c.Frequency, c.Age)]).ToArray());
        });
    }

    /// <summary>One customer for each distinct (x, t_x, T).</summary>
    public RepeatBuyer[] Customers { get; }

    /// <summary>How many customers each of <see cref="Customers"/> stands for.</summary>
    public double[] Counts { get; }

    /// <summary>The distinct (x, t) with t a recency or an age of a customer with that x: Pareto/NBD's ₂F₁ terms.</summary>
    public (int Frequency, double Time)[] Pairs => _pairs.Value;

    /// <summary>For each group, where its (x, t_x) and its (x, T) stand in <see cref="Pairs"/>.</summary>
    public (int[] Recency, int[] Age) PairIndex => _pairIndex.Value;

    public double LogLikelihood(BetaGeometricModel m)
    {
        var countTerms = _xs.Select(m.CountTerm).ToArray();
        var dropoutTerms = _xs.Select(m.DropoutTerm).ToArray();
        var (log1PAge, logAge) = (_ages.Select(t => Log1P(t / m.Alpha)).ToArray(), _ages.Select(t => Math.Log(m.Alpha + t)).ToArray());
        var (log1PRecency, logRecency) = (_recencies.Select(t => Log1P(t / m.Alpha)).ToArray(), _recencies.Select(t => Math.Log(m.Alpha + t)).ToArray());
        var sum = 0.0;
        for (var g = 0; g < Counts.Length; g++)
        {
            var (xi, ti, ri) = (_xIndex[g], _ageIndex[g], _recencyIndex[g]);
            sum += Counts[g] * m.LogLikelihood(_xs[xi], countTerms[xi], dropoutTerms[xi], log1PAge[ti], logAge[ti], log1PRecency[ri], logRecency[ri]);
        }
        return sum;
    }
}
