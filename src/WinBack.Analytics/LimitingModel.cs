using System.Globalization;

namespace WinBack.Analytics;

/// <summary>
/// Where the likelihood rises toward a boundary of the parameters, the model the fit tends to, by name and in the
/// merchant's words. The parameters that go to 0 or infinity there (<see cref="DropoutUnbounded"/>: a and b, or s and β;
/// <see cref="RateUnbounded"/>: r and α) mean nothing one by one and are not shown.
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
        var lifetime = (m.Beta / m.S).ToString("G3", CultureInfo.InvariantCulture);
        var dropout = m.S / m.Beta < NeverDropOutShare * (m.R / m.Alpha)
            ? NeverDropOut("s/β → 0: a customer's lifetime outlasts ten thousand purchases")
            : m.S >= BetaGeometricModel.SameRateShape
                ? ($"no drop-out heterogeneity (s, β → ∞: every customer's drop-out rate is the same, a mean lifetime of {lifetime} weeks)",
                   $"Your customers differ in how often they buy but not in how long they stay: any customer stops buying after {lifetime} weeks on average.")
                : ((string Name, string ForTheMerchant)?)null;
        return Combine(dropout, SameRate(m.R, m.Alpha));
    }

    private static (string Name, string ForTheMerchant) NeverDropOut(string why) =>
        ($"customers never drop out ({why})",
         "Your customers show no sign of leaving for good: a quiet customer reads as a slow buyer, so every chance of being active is close to 100 % and the lists rest on each customer's own rhythm.");

    private static (string Name, string ForTheMerchant)? SameRate(double r, double alpha)
    {
        if (r < BetaGeometricModel.SameRateShape) return null;
        var pace = (r / alpha).ToString("G3", CultureInfo.InvariantCulture);
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
