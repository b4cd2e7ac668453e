using System.Globalization;

namespace WinBack.Analytics;

/// <summary>
/// Where the likelihood rises toward a boundary of the parameters, the model the fit tends to, by name and in the
/// merchant's words. The parameters that go to 0 or infinity there (<see cref="DropoutUnbounded"/>: a and b, or s and β;
/// <see cref="RateUnbounded"/>: r and α) mean nothing one by one and are not shown; the spend model's limits
/// (<see cref="SpendModelFit"/>) show the parameters they still estimate.
/// </summary>
public sealed record LimitingModel(string Name, string ForTheMerchant, bool DropoutUnbounded, bool RateUnbounded)
{
    /// <summary>A mean drop-out below this share of the mean purchase rate (Pareto/NBD: s/β against r/α) is never leaving.</summary>
    internal const double NeverDropOutShare = BetaGeometricModel.NeverDropOutChance;

    /// <summary>What the merchant reads, then the model's name for an analyst; under 500 characters.</summary>
    public string Note => $"{ForTheMerchant} Limiting model: {Name}." is var note && note.Length <= 500 ? note : ForTheMerchant;

    public static LimitingModel? Of(BetaGeometricModel m)
    {
        var meanDropout = m.A / (m.A + m.B);
        var chance = string.Create(CultureInfo.InvariantCulture, $"{100 * meanDropout:0.0}%");
        var dropout = meanDropout < BetaGeometricModel.NeverDropOutChance
            ? NeverDropOut("a → 0: no purchase is followed by leaving")
            : m.A + m.B >= BetaGeometricModel.SameDropoutScale
                ? ($"no drop-out heterogeneity (a, b → ∞: every customer's drop-out probability is the same, {chance} after each purchase)",
                   $"Your customers differ in how often they buy but not in how likely they are to stop: after each order any customer leaves with the same {chance} chance.")
                : ((string Name, string ForTheMerchant)?)null;
        return Combine(dropout, SameRate(m.R, m.Alpha));
    }

    public static LimitingModel? Of(ParetoNbd m)
    {
        var lifetime = Shown(m.Beta / m.S);
        var dropout = m.S / m.Beta < NeverDropOutShare * (m.R / m.Alpha)
            ? NeverDropOut("s/β → 0: a customer's lifetime outlasts ten thousand purchases")
            : m.S >= BetaGeometricModel.SameRateShape
                ? ($"no drop-out heterogeneity (s, β → ∞: every customer's drop-out rate is the same, a mean lifetime of {lifetime} weeks)",
                   $"Your customers differ in how often they buy but not in how long they stay: any customer stops buying after {lifetime} weeks on average.")
                : ((string Name, string ForTheMerchant)?)null;
        return Combine(dropout, SameRate(m.R, m.Alpha));
    }

    /// <summary>The spend model's p → ∞ (<see cref="GammaGamma"/>): no spread within a customer's orders.</summary>
    internal static LimitingModel OwnAverageSpend(double q, double shopAverage) =>
        Spend($"no spread within a customer's orders (p → ∞: each customer's orders are all their own average; across customers the averages are inverse gamma with q = {Shown(q)})",
              $"Each of your customers spends about the same on every order, so a repeat customer's expected order is their own average, and a customer with a single order is expected to spend about {Money(shopAverage)} an order (the model's average across your customers).");

    /// <summary>The spend model's q, γ → ∞ with q/γ fixed: no spread between customers' order values.</summary>
    internal static LimitingModel SameSpendForAll(double p, double shopAverage) =>
        Spend($"no spread between customers' order values (q, γ → ∞: every customer's orders are gamma with shape p = {Shown(p)} and the same mean, {Money(shopAverage)})",
              $"Your customers do not differ in how much they spend per order (the differences between their averages are chance), so every customer's expected order is the shop's average, {Money(shopAverage)}.");

    /// <summary>Every repeat customer's mean order the same: the spend model's limit in both ways at once.</summary>
    internal static LimitingModel ConstantSpend(double value) =>
        Spend($"constant spend (every repeat customer's average order is {Money(value)})",
              $"Every customer who ordered again spent the same on average, {Money(value)}, and that is every customer's expected order.");

    private static LimitingModel Spend(string name, string forTheMerchant) => new(name, forTheMerchant, DropoutUnbounded: false, RateUnbounded: false);

    private static string Shown(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Money(double value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static (string Name, string ForTheMerchant) NeverDropOut(string why) =>
        ($"customers never drop out ({why})",
         "Your customers show no sign of leaving for good: a quiet customer reads as a slow buyer, so every chance of being active is close to 100 % and the lists rest on each customer's own rhythm.");

    private static (string Name, string ForTheMerchant)? SameRate(double r, double alpha)
    {
        if (r < BetaGeometricModel.SameRateShape) return null;
        var pace = Shown(r / alpha);
        return ($"no purchase-rate heterogeneity (r, α → ∞: every active customer buys at the same rate, {pace} a week)",
                $"Your active customers all buy at about the same pace, {pace} orders a week; they differ only in whether they are still active.");
    }

    private static LimitingModel? Combine((string Name, string ForTheMerchant)? dropout, (string Name, string ForTheMerchant)? rate)
    {
        if (dropout is null && rate is null) return null;
        (string Name, string ForTheMerchant)[] parts = [.. new[] { dropout, rate }.OfType<(string, string)>()];
        return new LimitingModel(string.Join("; ", parts.Select(p => p.Name)), string.Join(" ", parts.Select(p => p.ForTheMerchant)), dropout is not null, rate is not null);
    }
}
