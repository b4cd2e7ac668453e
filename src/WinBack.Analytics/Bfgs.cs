namespace WinBack.Analytics;

/// <summary>
/// Minimises a smooth function of a few unconstrained variables with BFGS: the function's own gradient or central
/// differences, a backtracking line search, stop when the gradient is flat. The models fit log-parameters with it, so
/// positivity is the bound.
/// </summary>
public static class Bfgs
{
    /// <summary>Where the search ended; <see cref="InverseHessian"/> is its last approximation, a warm start for a polish.</summary>
    public sealed record Result(double[] Point, double Value, int Iterations, bool Converged)
    {
        public double[,]? InverseHessian { get; init; }

        /// <summary>The gradient at <see cref="Point"/>, as the search last computed it.</summary>
        public required double[] Gradient { get; init; }
    }

    /// <summary>Minimises <paramref name="f"/> with central-difference gradients.</summary>
    public static Result Minimise(Func<double[], double> f, double[] start, double gradientTolerance = 1e-8, int maxIterations = 500) =>
        Minimise(WithNumericGradient(f), start, gradientTolerance, maxIterations, gradientAtEveryTrial: false);

    /// <summary>
    /// Minimises <paramref name="f"/>, which returns the value at a point and, given an array, writes its gradient there.
    /// With <paramref name="gradientAtEveryTrial"/> the line search asks for the gradient with every value (right when it
    /// costs little more than the value); otherwise only at the point it accepts.
    /// </summary>
    public static Result Minimise(Func<double[], double[]?, double> f, double[] start, double gradientTolerance = 1e-8, int maxIterations = 500,
        bool gradientAtEveryTrial = true, double[,]? inverseHessian = null)
    {
        var n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        var fx = f(x, g);
        var h = inverseHessian is null ? Identity(n) : (double[,])inverseHessian.Clone();
        Result Ended(double[] point, double value, double[] gradient, int iterations, bool converged) =>
            new(point, value, iterations, converged) { InverseHessian = h, Gradient = gradient };
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            // Relative to the function's size: a log-likelihood of -9582 has a numerical-gradient noise far above 1e-7.
            if (Norm(g) < gradientTolerance * Math.Max(1, Math.Abs(fx))) return Ended(x, fx, g, iteration, true);
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
            var gNew = new double[n];
            while (true)
            {
                xNew = x.Select((v, i) => v + step * direction[i]).ToArray();
                fNew = f(xNew, gradientAtEveryTrial ? gNew : null);
                if (!double.IsNaN(fNew) && fNew <= fx + 1e-4 * step * slope) break;
                step /= 2;
                if (step < 1e-12) return Ended(x, fx, g, iteration, Norm(g) < 1e-5 * Math.Max(1, Math.Abs(fx)));
            }
            if (!gradientAtEveryTrial) f(xNew, gNew);
            if (Math.Abs(fx - fNew) <= 1e-13 * Math.Max(1, Math.Abs(fx))) return Ended(xNew, fNew, gNew, iteration + 1, true);
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
        return Ended(x, fx, g, maxIterations, false);
    }

    /// <summary>
    /// The Hessian of a function with a gradient, by central differences of the gradient (step <paramref name="h"/>),
    /// made symmetric; NaN entries where a step leaves the function's domain. Central, not forward, differences: on a flat
    /// likelihood (a small shop, a ridge) the smallest curvature is of the order of a forward difference's error.
    /// </summary>
    public static double[,] Hessian(Func<double[], double[]?, double> f, double[] x, double h)
    {
        var n = x.Length;
        var hessian = new double[n, n];
        var (up, down) = (new double[n], new double[n]);
        for (var j = 0; j < n; j++)
        {
            var p = (double[])x.Clone();
            p[j] = x[j] + h;
            var fUp = f(p, up);
            p[j] = x[j] - h;
            var fDown = f(p, down);
            for (var i = 0; i < n; i++) hessian[i, j] = double.IsFinite(fUp) && double.IsFinite(fDown) ? (up[i] - down[i]) / (2 * h) : double.NaN;
        }
        for (var i = 0; i < n; i++)
        for (var j = 0; j < i; j++)
            hessian[i, j] = hessian[j, i] = (hessian[i, j] + hessian[j, i]) / 2;
        return hessian;
    }

    private static Func<double[], double[]?, double> WithNumericGradient(Func<double[], double> f) => (x, gradient) =>
    {
        var value = f(x);
        if (gradient is not null) Gradient(f, x, value).CopyTo(gradient, 0);
        return value;
    };

    /// <summary>
    /// Whether a point is a strict local minimum, from the function's <paramref name="value"/>, <paramref name="gradient"/>
    /// and <paramref name="hessian"/> there: the gradient flat against the function's size and the Hessian positive definite
    /// (its Cholesky factorisation succeeds).
    /// </summary>
    public static bool IsMinimum(double value, double[] gradient, double[,] hessian, double gradientTolerance = 1e-5) =>
        double.IsFinite(value) && Norm(gradient) <= gradientTolerance * Math.Max(1, Math.Abs(value)) && Cholesky.TryFactor(hessian, out _);

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
