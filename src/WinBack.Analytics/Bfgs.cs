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
    /// made symmetric; NaN entries where a step leaves the function's domain. Its error is of the order of h², against a
    /// forward difference's h (<see cref="ForwardHessian"/>).
    /// </summary>
    public static double[,] Hessian(Func<double[], double[]?, double> f, double[] x, double h) =>
        Symmetric(x.Length, j => Difference(GradientAt(f, x, j, h), GradientAt(f, x, j, -h), 2 * h, x.Length));

    /// <summary>
    /// The Hessian by forward differences of the gradient, from <paramref name="gradient"/>, the gradient at
    /// <paramref name="x"/>: half the evaluations of <see cref="Hessian"/>, with an error of the order of h.
    /// </summary>
    public static double[,] ForwardHessian(Func<double[], double[]?, double> f, double[] x, double[] gradient, double h) =>
        Symmetric(x.Length, j => Difference(GradientAt(f, x, j, h), gradient, h, x.Length));

    /// <summary>The gradient with x_j moved by <paramref name="step"/>; null where the function is not a number.</summary>
    private static double[]? GradientAt(Func<double[], double[]?, double> f, double[] x, int j, double step)
    {
        var (p, gradient) = ((double[])x.Clone(), new double[x.Length]);
        p[j] += step;
        return double.IsFinite(f(p, gradient)) ? gradient : null;
    }

    /// <summary>(upper − lower) / step, or NaNs where either gradient is missing.</summary>
    private static double[] Difference(double[]? upper, double[]? lower, double step, int n) =>
        upper is not null && lower is not null ? [.. upper.Select((u, i) => (u - lower[i]) / step)] : [.. Enumerable.Repeat(double.NaN, n)];

    /// <summary>The matrix of the given columns, made symmetric.</summary>
    private static double[,] Symmetric(int n, Func<int, double[]> column)
    {
        var matrix = new double[n, n];
        for (var j = 0; j < n; j++)
        {
            var values = column(j);
            for (var i = 0; i < n; i++) matrix[i, j] = values[i];
        }
        for (var i = 0; i < n; i++)
        for (var j = 0; j < i; j++)
            matrix[i, j] = matrix[j, i] = (matrix[i, j] + matrix[j, i]) / 2;
        return matrix;
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
