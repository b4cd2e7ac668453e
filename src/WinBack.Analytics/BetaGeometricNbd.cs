using static WinBack.Analytics.SpecialFunctions;

namespace WinBack.Analytics;

/// <summary>
/// The BG/NBD model (Fader, Hardie &amp; Lee 2005): while alive a customer buys at a Poisson rate (gamma-distributed
/// across customers, r and α), and after each repeat purchase drops out with a probability (beta-distributed, a and b).
/// A customer with no repeat purchase is alive by construction; <see cref="ModifiedBetaGeometricNbd"/> lifts that.
/// </summary>
public sealed record BetaGeometricNbd(double R, double Alpha, double A, double B) : BetaGeometricModel(R, Alpha, A, B)
{
    /// <summary>Below this many repeat buyers the fit says "not enough data" rather than guess.</summary>
    public const int MinimumRepeatCustomers = PurchaseModels.MinimumRepeatCustomers;

    public override string Name => "BG/NBD";

    internal override bool FirstPurchaseMayEnd => false;

    /// <summary>P(X(t) = n): the chance that a new customer makes exactly n purchases in their first t time units (paper eq. 8), in log space.</summary>
    public double ProbabilityOfPurchases(double t, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (t <= 0) return n == 0 ? 1 : 0;
        var logStay = Math.Log(Alpha / (Alpha + t));
        var logBuy = Math.Log(t / (Alpha + t));
        // ln of Γ(r+j)/(Γ(r) j!) · (α/(α+t))^r · (t/(α+t))^j: the negative binomial count while alive.
        double LogCount(int j) => LogGamma(R + j) - LogGamma(R) - LogGamma(j + 1) + R * logStay + j * logBuy;
        var logBetaAB = LogBeta(A, B);
        var stillAlive = Math.Exp(LogBeta(A, B + n) - logBetaAB + LogCount(n));
        if (n == 0) return stillAlive;
        var fewerThanN = 0.0;
        for (var j = 0; j < n; j++) fewerThanN += Math.Exp(LogCount(j));
        var droppedOut = Math.Exp(LogBeta(A + 1, B + n - 1) - logBetaAB) * Math.Max(0, 1 - fewerThanN);
        return stillAlive + droppedOut;
    }

    /// <summary>
    /// Fits r, α, a, b by maximum likelihood: BFGS on the logs of the parameters (so they stay positive) from three starts,
    /// the best end kept. Customers with the same (x, t_x, T) are one weighted term: with times in whole days, a million
    /// customers are a few thousand terms. An end inside the bounds must be a maximum (flat gradient, negative definite
    /// Hessian) or the fit says the data do not pin the model down; an end where the likelihood still rises toward a limit
    /// (no drop-out, the same drop-out for everyone, the same rate for everyone) is reported as that limiting model.
    /// </summary>
    public static PurchaseModelFit<BetaGeometricNbd> Fit(IReadOnlyList<RepeatBuyer> customers) => Fit(customers, near: null);

    /// <summary>The fit from <paramref name="near"/>, where a fit on much the same customers ended (see <see cref="LogParameterFit"/>).</summary>
    public static PurchaseModelFit<BetaGeometricNbd> Fit(IReadOnlyList<RepeatBuyer> customers, FitStart? near) =>
        Fit(customers, (r, alpha, a, b) => new BetaGeometricNbd(r, alpha, a, b), near);
}
