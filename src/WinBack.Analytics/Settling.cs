namespace WinBack.Analytics;

/// <summary>
/// How a maximum-likelihood fit on log-parameters ends, for every model WinBack fits (the purchase models through
/// <see cref="LogParameterFit"/>, the spend model in <see cref="GammaGamma"/>): BFGS's end taken the rest of the way by
/// Newton's steps, the Hessian there, and the check that the end is a maximum. The objective is the mean negative
/// log-likelihood over the fit's customers (its value and, given an array, its gradient), as <see cref="Bfgs"/> minimises it.
/// </summary>
internal static class Settling
{
    /// <summary>
    /// The objective of a fit of <paramref name="logLikelihood"/> (of the log-parameters; given an array, its gradient by
    /// them is written there) over <paramref name="size"/> customers: the mean negative log-likelihood, so the first step's
    /// size does not grow with the number of customers. Outside [<paramref name="lower"/>, <paramref name="upper"/>] in any
    /// log-parameter, or where the likelihood or its gradient is not finite, it is not a number, so a line search steps back.
    /// </summary>
    public static Func<double[], double[]?, double> Objective(Func<double[], double[]?, double> logLikelihood, int size, double lower, double upper) =>
        (logs, gradient) =>
        {
            if (!logs.All(l => l >= lower && l <= upper)) return double.NaN;
            var ll = logLikelihood(logs, gradient);
            if (gradient is not null)
                for (var i = 0; i < gradient.Length; i++) gradient[i] /= -size;
            return double.IsFinite(ll) && (gradient is null || gradient.All(double.IsFinite)) ? -ll / size : double.NaN;
        };

    /// <summary>
    /// The steps of the Hessian's differences of the gradient, in the log-parameters. Forward differences' error is about
    /// 1e-6 of the curvatures' scale (CDNOW and drawn shops, all three models), central ones' about 1e-9.
    /// </summary>
    private const double ForwardStep = 1e-6, CentralStep = 1e-4;

    /// <summary>
    /// The least curvature, relative to each parameter's own (the Hessian scaled to a unit diagonal), that a forward
    /// difference's Hessian must show to be taken: a hundred times its error. A flatter end (a flat fit's smallest
    /// curvature is about 5e-5) is judged on central differences.
    /// </summary>
    private const double ForwardMargin = 1e-4;

    /// <summary>
    /// Takes BFGS's end the rest of the way to the maximum with Newton steps on the observed Hessian, and returns where it
    /// ended with the gradient and Hessian there. BFGS stops once the gradient is small, and on a flat likelihood (a small
    /// shop, a ridge between drop-out's two parameters) a small gradient can still leave a tenth of a log-likelihood unit
    /// uphill. Newton's step says how much is left (half of gᵀH⁻¹g, in log-likelihood units over all <paramref name="customers"/>);
    /// the steps stop once that is under <see cref="SettledWithin"/>, which a large shop's BFGS end usually already is, so
    /// there it costs the gradient and the Hessian that the maximum's check and the standard errors need anyway. Where the
    /// Hessian is not positive definite there is no Newton step: at BFGS's end the end is left to that check, and after a
    /// step the settling stays at the last point whose Hessian is.
    /// </summary>
    public static Settlement Settle(Func<double[], double[]?, double> objective, Bfgs.Result end, int customers)
    {
        var gradient = end.Gradient;
        var hessian = Curvature(objective, end.Point, end.Gradient);
        if (!double.IsFinite(end.Value) || !Cholesky.TryFactor(hessian, out var factor)) return new(end, hessian);
        var (point, value, inverse) = (end.Point, end.Value, Cholesky.Inverse(factor));
        for (var step = 0; step < MaxNewtonSteps; step++)
        {
            var direction = new double[point.Length];
            for (var i = 0; i < point.Length; i++) for (var j = 0; j < point.Length; j++) direction[i] -= inverse[i, j] * gradient[j];
            var left = -0.5 * direction.Select((d, i) => d * gradient[i]).Sum() * customers;
            if (!(left > Math.Max(SettledWithin, SettledRelative * Math.Abs(value) * customers))) break;
            var (trial, trialValue) = (point, value);
            for (var length = 1.0; length >= 1.0 / 64 && trialValue >= value; length /= 2)
            {
                trial = [.. point.Select((v, i) => v + length * direction[i])];
                trialValue = objective(trial, null) is var tried && tried < value ? tried : value;
            }
            if (trialValue >= value) break;
            var trialGradient = new double[point.Length];
            objective(trial, trialGradient);
            var trialHessian = Curvature(objective, trial, trialGradient);
            if (!Cholesky.TryFactor(trialHessian, out factor)) break;
            (point, value, gradient, hessian, inverse) = (trial, trialValue, trialGradient, trialHessian, Cholesky.Inverse(factor));
        }
        return new(end with { Point = point, Value = value, InverseHessian = inverse, Gradient = gradient }, hessian);
    }

    /// <summary>
    /// The Hessian of the objective (the mean negative log-likelihood) at <paramref name="point"/>, whose gradient is
    /// <paramref name="gradient"/>: by forward differences (half the gradients of central ones; most of a weekly refit's
    /// fit, which starts near its end, is this Hessian) where they show the likelihood curved down every way by far more
    /// than their error (<see cref="ForwardMargin"/>), else by central ones. Either way a flat end, or one that is no
    /// maximum, is judged on central differences.
    /// </summary>
    public static double[,] Curvature(Func<double[], double[]?, double> objective, double[] point, double[] gradient) =>
        Bfgs.ForwardHessian(objective, point, gradient, ForwardStep) is var forward && CurvedBeyond(forward, ForwardMargin)
            ? forward
            : Bfgs.Hessian(objective, point, CentralStep);

    /// <summary>Whether <paramref name="hessian"/> scaled to a unit diagonal, less <paramref name="margin"/> on it, is positive definite.</summary>
    private static bool CurvedBeyond(double[,] hessian, double margin)
    {
        var n = hessian.GetLength(0);
        if (!Enumerable.Range(0, n).All(i => hessian[i, i] > 0 && double.IsFinite(hessian[i, i]))) return false;
        var scaled = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++)
            scaled[i, j] = hessian[i, j] / Math.Sqrt(hessian[i, i] * hessian[j, j]) - (i == j ? margin : 0);
        return Cholesky.TryFactor(scaled, out _);
    }

    /// <summary>Where a fit settled (with its objective's gradient there), and the Hessian there.</summary>
    public sealed record Settlement(Bfgs.Result End, double[,] Hessian)
    {
        /// <summary>Whether the end is a maximum of the likelihood (a minimum of its negative): flat, and curved down every way.</summary>
        public bool IsMinimum => Bfgs.IsMinimum(End.Value, End.Gradient, Hessian);
    }

    /// <summary>
    /// A fit is at its maximum when Newton's step promises less than this many log-likelihood units more, or less than
    /// <see cref="SettledRelative"/> of the log-likelihood: a million customers' sum is not exact to 1e-7, and steps that
    /// promise less than its rounding would only chase it.
    /// </summary>
    private const double SettledWithin = 1e-7, SettledRelative = 1e-10;

    private const int MaxNewtonSteps = 8;
}
