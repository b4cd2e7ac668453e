namespace WinBack.Analytics;

/// <summary>
/// Minimises a smooth function of a few unconstrained variables with BFGS: central-difference gradients, a backtracking
/// line search, stop when the gradient is flat. The models fit log-parameters with it, so positivity is the bound.
/// </summary>
public static class Bfgs
{
    public sealed record Result(double[] Point, double Value, int Iterations, bool Converged);

    public static Result Minimise(Func<double[], double> f, double[] start, double gradientTolerance = 1e-8, int maxIterations = 500)
    {
        var n = start.Length;
        var x = (double[])start.Clone();
        var fx = f(x);
        var g = Gradient(f, x, fx);
        var h = Identity(n);
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            // Relative to the function's size: a log-likelihood of -9582 has a numerical-gradient noise far above 1e-7.
            if (Norm(g) < gradientTolerance * Math.Max(1, Math.Abs(fx))) return new Result(x, fx, iteration, true);
            var direction = new double[n];
            for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) direction[i] -= h[i, j] * g[j];
            var slope = Dot(direction, g);
            if (slope >= 0)
            {
                h = Identity(n);
                for (var i = 0; i < n; i++) direction[i] = -g[i];
                slope = Dot(direction, g);
            }
            double step = 1, fNew;
            double[] xNew;
            while (true)
            {
                xNew = x.Select((v, i) => v + step * direction[i]).ToArray();
                fNew = f(xNew);
                if (!double.IsNaN(fNew) && fNew <= fx + 1e-4 * step * slope) break;
                step /= 2;
                if (step < 1e-12) return new Result(x, fx, iteration, Norm(g) < 1e-5 * Math.Max(1, Math.Abs(fx)));
            }
            var gNew = Gradient(f, xNew, fNew);
            if (Math.Abs(fx - fNew) <= 1e-13 * Math.Max(1, Math.Abs(fx))) return new Result(xNew, fNew, iteration + 1, true);
            var s = xNew.Select((v, i) => v - x[i]).ToArray();
            var y = gNew.Select((v, i) => v - g[i]).ToArray();
            var sy = Dot(s, y);
            if (sy > 1e-12)
            {
                var hy = new double[n];
                for (var i = 0; i < n; i++) for (var j = 0; j < n; j++) hy[i] += h[i, j] * y[j];
                var yhy = Dot(y, hy);
                for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    h[i, j] += (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
            }
            (x, fx, g) = (xNew, fNew, gNew);
        }
        return new Result(x, fx, maxIterations, false);
    }

    /// <summary>
    /// Whether <paramref name="x"/> is a strict local minimum of <paramref name="f"/>: the gradient flat against the
    /// function's size and the central-difference Hessian positive definite (its Cholesky factorisation succeeds).
    /// </summary>
    public static bool IsMinimum(Func<double[], double> f, double[] x, double gradientTolerance = 1e-5)
    {
        var fx = f(x);
        if (!double.IsFinite(fx) || Norm(Gradient(f, x, fx)) > gradientTolerance * Math.Max(1, Math.Abs(fx))) return false;
        return Cholesky.TryFactor(Hessian(f, x, 1e-4), out _);
    }

    /// <summary>
    /// The Hessian of <paramref name="f"/> at <paramref name="x"/> by the four-point central difference with step
    /// <paramref name="h"/>; <paramref name="extrapolate"/> adds Richardson's step: (4·H(h/2) − H(h)) / 3 cancels the h²
    /// error term, so a step of 1e-2 gives about eight digits where rounding would ruin a step small enough to need none.
    /// </summary>
    public static double[,] Hessian(Func<double[], double> f, double[] x, double h, bool extrapolate = false)
    {
        var n = x.Length;
        double At(int i, double di, int j, double dj)
        {
            var p = (double[])x.Clone();
            p[i] += di;
            p[j] += dj;
            return f(p);
        }
        double[,] Differences(double step)
        {
            var hessian = new double[n, n];
            for (var i = 0; i < n; i++)
            for (var j = 0; j <= i; j++)
                hessian[i, j] = hessian[j, i] = (At(i, step, j, step) - At(i, step, j, -step) - At(i, -step, j, step) + At(i, -step, j, -step)) / (4 * step * step);
            return hessian;
        }
        var coarse = Differences(h);
        if (!extrapolate) return coarse;
        var fine = Differences(h / 2);
        var result = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++)
            result[i, j] = (4 * fine[i, j] - coarse[i, j]) / 3;
        return result;
    }

    /// <summary>Central differences, one-sided where one side is not a number (a point next to the search's bounds).</summary>
    private static double[] Gradient(Func<double[], double> f, double[] x, double fx)
    {
        var g = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var step = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            var up = (double[])x.Clone();
            var down = (double[])x.Clone();
            up[i] += step;
            down[i] -= step;
            var (fUp, fDown) = (f(up), f(down));
            g[i] = double.IsNaN(fUp) ? (fx - fDown) / step : double.IsNaN(fDown) ? (fUp - fx) / step : (fUp - fDown) / (2 * step);
        }
        return g;
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    private static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
}
