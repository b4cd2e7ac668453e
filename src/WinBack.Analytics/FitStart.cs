namespace WinBack.Analytics;

/// <summary>
/// Where a fit of a model ended, kept for the next fit of that model on much the same customers (the shop a week on, or
/// its earlier cut for the track record): the logs of the fitted parameters, in the reference's order, and the search's
/// curvature there (the inverse Hessian of the mean negative log-likelihood in the logs). A fit from it takes a few steps
/// to its own maximum instead of searching from the model's starts. Plain arrays, so it can be stored as JSON.
/// </summary>
public sealed record FitStart(string Model, double[] LogParameters, double[][] InverseHessian)
{
    internal static FitStart Of(string model, double[] logParameters, double[,] inverseHessian) =>
        new(model, [.. logParameters], [.. Enumerable.Range(0, inverseHessian.GetLength(0)).Select(i => Enumerable.Range(0, inverseHessian.GetLength(1)).Select(j => inverseHessian[i, j]).ToArray())]);

    /// <summary>
    /// The curvature as a matrix, or null when the start cannot be used as it is: <paramref name="parameters"/> finite
    /// log-parameters within <paramref name="lowerLog"/> and <paramref name="upperLog"/>, and a positive definite curvature
    /// of their size (a stored start may come from an older version of a model, or be damaged, its arrays even missing),
    /// made exactly symmetric.
    /// </summary>
    internal double[,]? UsableCurvature(int parameters, double lowerLog, double upperLog)
    {
        if (LogParameters?.Length != parameters || !LogParameters.All(p => p >= lowerLog && p <= upperLog)) return null;
        if (InverseHessian?.Length != parameters || InverseHessian.Any(row => row?.Length != parameters || !row.All(double.IsFinite))) return null;
        var curvature = new double[parameters, parameters];
        for (var i = 0; i < parameters; i++)
        for (var j = 0; j < parameters; j++)
            curvature[i, j] = (InverseHessian[i][j] + InverseHessian[j][i]) / 2;
        return Cholesky.TryFactor(curvature, out _) ? curvature : null;
    }
}
