using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The reference's likelihoods written out afresh (analytics-models.md §3.1, §4 and §5, note 009), for the independent
/// maximiser the fits are held to: each takes the logs of the four parameters and sums over customers folded by
/// (x, t_x, T), with the terms of x, or of x and one time, computed once per value.
/// </summary>
public static class ReferenceLikelihoods
{
    /// <summary>
    /// BG/NBD (A1 … A4 of §3.1) or, <paramref name="modified"/>, MBG/NBD (§4: b + x + 1 and a + b + x + 1 in A2, and
    /// A4 = ln a − ln(b + x) for every x): A1 + A2 + logsumexp(A3, A3 + A4), A3 and A4 at t_x for the second.
    /// </summary>
    public static Func<double[], double> BetaGeometric(List<RepeatBuyer> customers, bool modified)
    {
        var (rows, xs, times) = Fold(customers);
        var shift = modified ? 1 : 0;
        return p =>
        {
            var (r, alpha, a, b) = (Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
            var a1A2 = xs.Select(x => LogGamma(r + x) - LogGamma(r) + r * Math.Log(alpha)
                                      + LogGamma(a + b) + LogGamma(b + x + shift) - LogGamma(b) - LogGamma(a + b + x + shift)).ToArray();
            var dropout = xs.Select(x => x > 0 || modified ? Math.Log(a) - Math.Log(b + x - 1 + shift) : double.NegativeInfinity).ToArray();
            var logTime = times.Select(t => Math.Log(alpha + t)).ToArray();
            var sum = 0.0;
            foreach (var row in rows)
                sum += row.Count * (a1A2[row.X] + LogAddExp(-(r + row.Frequency) * logTime[row.Age], dropout[row.X] - (r + row.Frequency) * logTime[row.Recency]));
            return sum;
        };
    }

    /// <summary>
    /// Pareto/NBD as note 009 writes it (§5): ln Γ(r+x)α^r β^s/Γ(r) + ln[(α+T)^−(r+x) (β+T)^−s + s/(r+s+x)·A0], A0 the
    /// difference of ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+t))/(α+t)^(r+s+x) at t_x and at T when α ≥ β, and of
    /// ₂F₁(r+s+x, r+x; r+s+x+1; (β−α)/(β+t))/(β+t)^(r+s+x) otherwise; the plain Gauss series, so points where z is within
    /// half a percent of 1 are left out (minus infinity) rather than summed for minutes.
    /// </summary>
    public static Func<double[], double> Pareto(List<RepeatBuyer> customers)
    {
        var (rows, xs, times) = Fold(customers);
        // Each distinct (x, t) once: where each row's (x, t_x) and (x, T) stand among them.
        var pairs = rows.SelectMany(r => new[] { (r.X, r.Recency), (r.X, r.Age) }).Distinct().ToArray();
        var pairIndex = pairs.Select((p, i) => (p, i)).ToDictionary(p => p.p, p => p.i);
        var rowPairs = rows.Select(r => (Recency: pairIndex[(r.X, r.Recency)], Age: pairIndex[(r.X, r.Age)])).ToArray();
        return p =>
        {
            var (r, alpha, s, beta) = (Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]));
            var big = Math.Max(alpha, beta);
            var terms = new double[pairs.Length];
            for (var i = 0; i < pairs.Length; i++)
            {
                var (x, t) = (xs[pairs[i].Item1], times[pairs[i].Item2]);
                var z = Math.Abs(alpha - beta) / (big + t);
                if (z > 0.995) return double.NaN;
                terms[i] = LogHypergeometric2F1(r + s + x, alpha >= beta ? s + 1 : r + x, r + s + x + 1, z) - (r + s + x) * Math.Log(big + t);
            }
            var counts = xs.Select(x => LogGamma(r + x) - LogGamma(r) + r * Math.Log(alpha) + s * Math.Log(beta)).ToArray();
            var gone = xs.Select(x => Math.Log(s / (r + s + x))).ToArray();
            var (logRate, logLife) = (times.Select(t => Math.Log(alpha + t)).ToArray(), times.Select(t => Math.Log(beta + t)).ToArray());
            var sum = 0.0;
            for (var i = 0; i < rows.Length; i++)
            {
                var (row, x) = (rows[i], (double)rows[i].Frequency);
                var (atRecency, atAge) = (terms[rowPairs[i].Recency], terms[rowPairs[i].Age]);
                var a0 = atAge < atRecency ? atRecency + Math.Log(-double.ExpM1(atAge - atRecency)) : double.NegativeInfinity;
                sum += row.Count * (counts[row.X] + LogAddExp(-(r + x) * logRate[row.Age] - s * logLife[row.Age], gone[row.X] + a0));
            }
            return sum;
        };
    }

    private static ((int X, int Age, int Recency, int Count, int Frequency)[] Rows, int[] Xs, double[] Times) Fold(List<RepeatBuyer> customers)
    {
        var groups = customers.GroupBy(c => c).Select(g => (Customer: g.Key, Count: g.Count())).ToArray();
        var xs = groups.Select(g => g.Customer.Frequency).Distinct().ToArray();
        var times = groups.SelectMany(g => new[] { g.Customer.Age, g.Customer.Recency }).Distinct().ToArray();
        var xIndex = xs.Select((x, i) => (x, i)).ToDictionary(p => p.x, p => p.i);
        var timeIndex = times.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        return (groups.Select(g => (xIndex[g.Customer.Frequency], timeIndex[g.Customer.Age], timeIndex[g.Customer.Recency], g.Count, g.Customer.Frequency)).ToArray(), xs, times);
    }
}
