namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// The independent maximiser the fits are held to: a plain Nelder-Mead simplex (reflect, expand, contract, shrink),
/// restarted from its best point until a restart gains nothing, from each of several starts; the best end wins.
/// A point where the function is not finite counts as minus infinity. Each run stops after <c>iterations</c> steps at most.
/// </summary>
public static class NelderMead
{
    public static (double[] Point, double Value) Maximise(Func<double[], double> f, IEnumerable<double[]> starts, int restarts = 20, int iterations = 5000)
    {
        double Safe(double[] p) => f(p) is var v && double.IsFinite(v) ? v : double.NegativeInfinity;
        (double[] Point, double Value) best = ([], double.NegativeInfinity);
        foreach (var start in starts)
        {
            var current = (Point: start, Value: Safe(start));
            for (var restart = 0; restart < restarts; restart++)
            {
                var next = Run(Safe, current.Point, iterations);
                var gained = next.Value - current.Value;
                current = next.Value >= current.Value ? next : current;
                if (gained <= 1e-12 * Math.Abs(current.Value)) break;
            }
            if (current.Value > best.Value) best = current;
        }
        return best;
    }

    private static (double[] Point, double Value) Run(Func<double[], double> f, double[] start, int iterations)
    {
        var n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        for (var i = 0; i <= n; i++)
        {
            simplex[i] = (double[])start.Clone();
            if (i > 0) simplex[i][i - 1] += 0.5;
            values[i] = f(simplex[i]);
        }
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var order = Enumerable.Range(0, n + 1).OrderByDescending(i => values[i]).ToArray();
            simplex = order.Select(i => simplex[i]).ToArray();
            values = order.Select(i => values[i]).ToArray();
            var spread = simplex.Skip(1).Max(p => p.Select((v, k) => Math.Abs(v - simplex[0][k])).Max());
            if (values[0] - values[n] <= 1e-13 * Math.Abs(values[0]) && spread < 1e-7) break;
            var centroid = Enumerable.Range(0, n).Select(k => simplex.Take(n).Average(p => p[k])).ToArray();
            double[] Towards(double t) => centroid.Select((c, k) => c + t * (simplex[n][k] - c)).ToArray();
            var reflected = Towards(-1);
            var fr = f(reflected);
            if (fr > values[0])
            {
                var expanded = Towards(-2);
                var fe = f(expanded);
                (simplex[n], values[n]) = fe > fr ? (expanded, fe) : (reflected, fr);
            }
            else if (fr > values[n - 1])
            {
                (simplex[n], values[n]) = (reflected, fr);
            }
            else
            {
                var contracted = fr > values[n] ? Towards(-0.5) : Towards(0.5);
                var fc = f(contracted);
                if (fc > Math.Max(fr, values[n])) (simplex[n], values[n]) = (contracted, fc);
                else
                    for (var i = 1; i <= n; i++)
                    {
                        simplex[i] = simplex[i].Select((v, k) => simplex[0][k] + 0.5 * (v - simplex[0][k])).ToArray();
                        values[i] = f(simplex[i]);
                    }
            }
        }
        var best = Enumerable.Range(0, n + 1).MaxBy(i => values[i]);
        return (simplex[best], values[best]);
    }
}
