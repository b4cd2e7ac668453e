namespace WinBack.Analytics;

/// <summary>The special functions the models need, in double precision (.NET has no log-gamma).</summary>
public static class SpecialFunctions
{
    // Lanczos approximation, g = 7, n = 9: relative error about 1e-15 for positive arguments.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0) throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma is defined here for positive arguments.");
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        var sum = Lanczos[0];
        for (var i = 1; i < Lanczos.Length; i++) sum += Lanczos[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }

    /// <summary>
    /// ln Γ(a + x) − ln Γ(a) for a, x ≥ 0 (a &gt; 0): for large a Stirling's series differenced by hand, so the two huge
    /// log-gammas never cancel in floating point (a = 1e8 keeps full precision).
    /// </summary>
    public static double LogGammaRatio(double a, double x)
    {
        if (x == 0) return 0;
        if (a < 10) return LogGamma(a + x) - LogGamma(a);
        var b = a + x;
        static double Tail(double z) => (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - 1.0 / (1680 * z * z)) / (z * z)) / (z * z)) / z;
        return (a - 0.5) * Log1P(x / a) + x * Math.Log(b) - x + Tail(b) - Tail(a);
    }

    /// <summary>ln(1 + x), accurate for tiny x (.NET's double.LogP1 is ln(x + 1) computed as written).</summary>
    public static double Log1P(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>ln B(a, b).</summary>
    public static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>ln(e^x + e^y) without overflow.</summary>
    public static double LogAddExp(double x, double y)
    {
        if (double.IsNegativeInfinity(x)) return y;
        if (double.IsNegativeInfinity(y)) return x;
        var max = Math.Max(x, y);
        return max + Math.Log(Math.Exp(x - max) + Math.Exp(y - max));
    }

    /// <summary>
    /// ln ₂F₁(a, b; c; z) for 0 ≤ z &lt; 1 and a positive sum, by the Gauss series summed until its terms stop mattering;
    /// the running sum is rescaled when it grows large, so parameters in the thousands do not overflow.
    /// </summary>
    public static double LogHypergeometric2F1(double a, double b, double c, double z)
    {
        if (z is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(z), z, "The series is used for 0 <= z < 1.");
        double term = 1, sum = 1, logScale = 0;
        for (var k = 0; k < 10_000_000; k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= 1e-17 * Math.Abs(sum)) return logScale + Math.Log(sum);
            if (Math.Abs(sum) > 1e280)
            {
                sum *= 1e-280;
                term *= 1e-280;
                logScale += 280 * Math.Log(10);
            }
        }
        throw new ArithmeticException("₂F₁ did not converge.");
    }
}
