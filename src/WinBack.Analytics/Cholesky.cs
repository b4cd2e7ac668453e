namespace WinBack.Analytics;

/// <summary>The Cholesky factorisation of a small symmetric matrix: the test of positive definiteness, the inverse, and draws from a normal.</summary>
internal static class Cholesky
{
    /// <summary>L with L·Lᵀ = <paramref name="a"/>, or false when a pivot is not positive (a direction of no or downward curvature).</summary>
    public static bool TryFactor(double[,] a, out double[,] lower)
    {
        var n = a.GetLength(0);
        lower = new double[n, n];
        for (var j = 0; j < n; j++)
        {
            var pivot = a[j, j];
            for (var k = 0; k < j; k++) pivot -= lower[j, k] * lower[j, k];
            if (!(pivot > 0)) return false;
            lower[j, j] = Math.Sqrt(pivot);
            for (var i = j + 1; i < n; i++)
            {
                var sum = a[i, j];
                for (var k = 0; k < j; k++) sum -= lower[i, k] * lower[j, k];
                lower[i, j] = sum / lower[j, j];
            }
        }
        return true;
    }

    /// <summary>The inverse of L·Lᵀ from its factor L: column by column, forward then back substitution.</summary>
    public static double[,] Inverse(double[,] lower)
    {
        var n = lower.GetLength(0);
        var inverse = new double[n, n];
        for (var column = 0; column < n; column++)
        {
            var y = new double[n];
            for (var i = 0; i < n; i++)
            {
                var sum = i == column ? 1.0 : 0.0;
                for (var k = 0; k < i; k++) sum -= lower[i, k] * y[k];
                y[i] = sum / lower[i, i];
            }
            for (var i = n - 1; i >= 0; i--)
            {
                var sum = y[i];
                for (var k = i + 1; k < n; k++) sum -= lower[k, i] * inverse[k, column];
                inverse[i, column] = sum / lower[i, i];
            }
        }
        return inverse;
    }
}
