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

    /// <summary>ln(e^x − e^y) for y ≤ x; minus infinity where the two are equal (or y, by rounding, is the larger).</summary>
    public static double LogSubExp(double x, double y) => y < x ? x + Math.Log(-double.ExpM1(y - x)) : double.NegativeInfinity;

    /// <summary>Φ(x), the standard normal distribution function, via erfc (Numerical Recipes' Chebyshev fit, relative error under 1.2e-7).</summary>
    public static double NormalCdf(double x)
    {
        var z = Math.Abs(x) / Math.Sqrt(2);
        var t = 1 / (1 + 0.5 * z);
        var erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /// <summary>ψ(x), the digamma function, for x &gt; 0: shifted up by ψ(x) = ψ(x + 1) − 1/x until x ≥ 10, then its asymptotic series (error under 1e-13).</summary>
    public static double Digamma(double x)
    {
        var result = 0.0;
        for (; x < 10; x++) result -= 1 / x;
        var inverseSquare = 1 / (x * x);
        return result + Math.Log(x) - 0.5 / x
               - inverseSquare * (1.0 / 12 - inverseSquare * (1.0 / 120 - inverseSquare * (1.0 / 252 - inverseSquare * (1.0 / 240 - inverseSquare / 132))));
    }

    /// <summary>
    /// ln x − ψ(x), for x &gt; 0: from 1/(2x) + 1/(12x²) − ... (the digamma's own series) where x ≥ 10, so it keeps its
    /// relative precision where x is huge and the two would cancel to nothing.
    /// </summary>
    public static double LogMinusDigamma(double x)
    {
        if (x < 10) return Math.Log(x) - Digamma(x);
        var inverseSquare = 1 / (x * x);
        return 0.5 / x + inverseSquare * (1.0 / 12 - inverseSquare * (1.0 / 120 - inverseSquare * (1.0 / 252 - inverseSquare * (1.0 / 240 - inverseSquare / 132))));
    }

    /// <summary>ψ(a + n) − ψ(a) for a whole n ≥ 0: Σ 1/(a + j) over j &lt; n, exact where two digammas of a huge a would cancel.</summary>
    public static double DigammaDifference(double a, int n)
    {
        var sum = 0.0;
        for (var j = 0; j < n; j++) sum += 1 / (a + j);
        return sum;
    }

    /// <summary>
    /// ln ∫ from <paramref name="from"/> to ∞ of (1 + v/A)^(−p) (1 + v/B)^(−q) dv, for p + q &gt; 1: Pareto/NBD's ₂F₁ terms
    /// (Fader &amp; Hardie's note 009, eqs. 19-20) in a form free of the scale of A and B. As note 009 does, the factor with
    /// the larger constant decides the branch: with m = min(A, B) + from, M = max(A, B) + from and z = |A − B| / M the
    /// integral is m/(p + q − 1) · (1 + from/A)^(−p) (1 + from/B)^(−q) · ₂F₁(p + q − 1, e; p + q; z)·(1 − z)^(e − 1), e the
    /// smaller constant's exponent; Euler's transformation turns that into ₂F₁(1, f; p + q; z), f the larger constant's
    /// exponent, a series of positive terms falling faster than z^k. Where z is within 1 % of 1 (one constant a hundred
    /// times the other) the series would need thousands of terms, and the same integral is taken numerically instead.
    /// Given <paramref name="gradient"/>, writes the derivatives by ln A, p, ln B and q there.
    /// </summary>
    public static double LogPowerProductTail(double a, double p, double b, double q, double from, Span<double> gradient = default)
    {
        var aIsLarger = a >= b;
        var (small, large, smallExponent, largeExponent) = aIsLarger ? (b, a, q, p) : (a, b, p, q);
        var (m, bigM) = (small + from, large + from);
        var common = Math.Log(m) - Math.Log(p + q - 1) - p * Log1P(from / a) - q * Log1P(from / b);
        if (m < 0.01 * bigM)
        {
            var tail = LogPowerRatioIntegral((large - small) / m, smallExponent, largeExponent, out var bySmall, out var byLarge, out var byRho);
            if (!gradient.IsEmpty)
            {
                // ρ = (large − small)/m moves with both constants: by ln(large) as large/m, by ln(small) as −small·M/m².
                var (byLogLarge, byLogSmall) = (byRho * large / m, small / m - byRho * small * bigM / (m * m));
                gradient[0] = p * from / (a + from) + (aIsLarger ? byLogLarge : byLogSmall);
                gradient[1] = -Log1P(from / a) + (aIsLarger ? byLarge : bySmall);
                gradient[2] = q * from / (b + from) + (aIsLarger ? byLogSmall : byLogLarge);
                gradient[3] = -Log1P(from / b) + (aIsLarger ? bySmall : byLarge);
            }
            return Math.Log(m) - p * Log1P(from / a) - q * Log1P(from / b) + tail;
        }
        var z = (large - small) / bigM;
        var series = LogEulerSeries(largeExponent, p + q, z, out var byF, out var byC, out var byZ);
        if (!gradient.IsEmpty)
        {
            var byP = -1 / (p + q - 1) - Log1P(from / a) + byC + (aIsLarger ? byF : 0);
            var byQ = -1 / (p + q - 1) - Log1P(from / b) + byC + (aIsLarger ? 0 : byF);
            // By ln A and ln B: ln m, the two log1p terms and z all move.
            var byLogA = p * from / (a + from) + (aIsLarger ? byZ * a * m / (bigM * bigM) : a / m - byZ * a / bigM);
            var byLogB = q * from / (b + from) + (aIsLarger ? b / m - byZ * b / bigM : byZ * b * m / (bigM * bigM));
            (gradient[0], gradient[1], gradient[2], gradient[3]) = (byLogA, byP, byLogB, byQ);
        }
        return common + series;
    }

    /// <summary>
    /// ln ₂F₁(1, f; c; z) = ln Σ (f)ₖ/(c)ₖ zᵏ for 0 ≤ z &lt; 1, f &lt; c, and its derivatives by f, c and z, summed with the
    /// series (each term's derivative is the term times Σ 1/(f + j), −Σ 1/(c + j) or k/z). Every term is positive and
    /// at most z times the one before, so the sum stops when the rest cannot matter.
    /// </summary>
    private static double LogEulerSeries(double f, double c, double z, out double byF, out double byC, out double byZ)
    {
        double sum = 1, sumF = 0, sumC = 0, sumZ = 0;
        // term = (f)ₖ/(c)ₖ zᵏ, and perZ = term / z (so z = 0 needs no division).
        double term = 1, harmonicF = 0, harmonicC = 0, perZ = 0;
        for (var k = 0; k < 10_000_000; k++)
        {
            // Two divisions a term, not three: the one by c + k serves both the ratio and its harmonic sum.
            var overC = 1 / (c + k);
            perZ = (k == 0 ? 1 : perZ * z) * (f + k) * overC;
            (harmonicF, harmonicC) = (harmonicF + 1 / (f + k), harmonicC + overC);
            term = perZ * z;
            sum += term;
            sumF += term * harmonicF;
            sumC += term * harmonicC;
            sumZ += (k + 1) * perZ;
            if ((k + 2) * term <= 1e-17 * sum * (1 - z)) break;
        }
        (byF, byC, byZ) = (sumF / sum, -sumC / sum, sumZ / sum);
        return Math.Log(sum);
    }

    /// <summary>
    /// ln ∫ from 1 to ∞ of y^(−e) ((y + ρ)/(1 + ρ))^(−f) dy for large ρ, and its derivatives by e, f and ρ: up to y = 1 + ρ
    /// numerically in w = ln y (the log of the integrand is concave there, scaled by its peak; the derivatives are the
    /// integrals of the integrand's own derivatives, taken on the same points), beyond it in closed form,
    /// (1 + ρ)^(1 − e)/κ · ₂F₁(f, κ; κ + 1; −z) with z = ρ/(1 + ρ) and κ = e + f − 1, after Pfaff's transformation
    /// (1 + z)^(−f) ₂F₁(1, f; κ + 1; z/(1 + z)), the series <see cref="LogEulerSeries"/> differentiates.
    /// </summary>
    private static double LogPowerRatioIntegral(double rho, double e, double f, out double byE, out double byF, out double byRho)
    {
        var kappa = e + f - 1;
        var end = Log1P(rho);
        double LogIntegrand(double w) => (1 - e) * w - f * Log1P(double.ExpM1(w) / (1 + rho));
        var peak = (1 - e) * (1 + rho) > f ? Math.Clamp(Math.Log(rho * (1 - e) / kappa), 0, end) : 0;
        var scale = LogIntegrand(peak);
        var near = Quadrature.Integrate((w, values) =>
        {
            var grown = double.ExpM1(w);
            var integrand = Math.Exp(LogIntegrand(w) - scale);
            values[0] = integrand;
            values[1] = -w * integrand;
            values[2] = -Log1P(grown / (1 + rho)) * integrand;
            values[3] = f * grown / ((1 + rho) * (grown + 1 + rho)) * integrand;
        }, 4, 0, end);
        var logNear = scale + Math.Log(near[0]);
        var z = rho / (1 + rho);
        var series = LogEulerSeries(f, kappa + 1, z / (1 + z), out var seriesByF, out var seriesByC, out var seriesByZ);
        var logFar = (1 - e) * end - Math.Log(kappa) - f * Log1P(z) + series;
        var farShare = 1 / (1 + Math.Exp(logNear - logFar));
        // The near part's upper end, ln(1 + ρ), moves with ρ: the integrand there over 1 + ρ.
        var nearByRho = near[3] / near[0] + Math.Exp(LogIntegrand(end) - logNear) / (1 + rho);
        var farByRho = (1 - e) / (1 + rho) - f / ((1 + z) * (1 + rho) * (1 + rho)) + seriesByZ / ((1 + z) * (1 + z) * (1 + rho) * (1 + rho));
        byE = (1 - farShare) * near[1] / near[0] + farShare * (-end - 1 / kappa + seriesByC);
        byF = (1 - farShare) * near[2] / near[0] + farShare * (-1 / kappa - Log1P(z) + seriesByF + seriesByC);
        byRho = (1 - farShare) * nearByRho + farShare * farByRho;
        return LogAddExp(logNear, logFar);
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
