namespace WinBack.Analytics;

/// <summary>
/// A fitted model of when customers buy and when they stop (BG/NBD, MBG/NBD, Pareto/NBD): what every caller needs from
/// one, so the prediction job, the track record and winback-analyze work with whichever model a shop's data chose.
/// Times are in the unit the model was fitted in (WinBack uses weeks).
/// </summary>
public interface IPurchaseModel
{
    /// <summary>The model's usual name, as a merchant reads it in "About these numbers" ("BG/NBD").</summary>
    string Name { get; }

    double LogLikelihood(IReadOnlyList<RepeatBuyer> customers);

    /// <summary>P(alive | x, t_x, T): the chance the customer has not stopped buying.</summary>
    double ProbabilityAlive(RepeatBuyer c);

    /// <summary>Expected purchases in the next <paramref name="t"/> time units: P(alive) times <see cref="ExpectedPurchasesIfAlive"/>.</summary>
    double ExpectedPurchases(RepeatBuyer c, double t);

    /// <summary>
    /// Expected purchases in the next <paramref name="t"/> time units of a customer still alive now. It depends on the
    /// customer's repeat purchases and age (x, T) alone, not on when they last bought: customers alike in those share it.
    /// </summary>
    double ExpectedPurchasesIfAlive(RepeatBuyer c, double t);

    /// <summary>The chance of at least one purchase in the next <paramref name="t"/> time units: P(alive) times <see cref="ProbabilityOfPurchaseWithinIfAlive"/>.</summary>
    double ProbabilityOfPurchaseWithin(RepeatBuyer c, double t);

    /// <summary>The chance of at least one purchase in the next <paramref name="t"/> time units of a customer still alive now; like <see cref="ExpectedPurchasesIfAlive"/>, it depends on (x, T) alone.</summary>
    double ProbabilityOfPurchaseWithinIfAlive(RepeatBuyer c, double t);
}

public static class PurchaseModelExtensions
{
    /// <summary>
    /// Predicted value over the coming <paramref name="months"/> (lifetimes' discounted CLV): each month's expected purchases
    /// times <paramref name="spendPerOrder"/>, discounted by <paramref name="monthlyDiscountRate"/> per month.
    /// <paramref name="unitsPerMonth"/> converts months to the model's time unit (4.345 for weeks).
    /// </summary>
    public static double DiscountedValue(this IPurchaseModel model, RepeatBuyer c, double spendPerOrder, int months = 12,
        double monthlyDiscountRate = 0.01, double unitsPerMonth = 4.345) =>
        spendPerOrder * model.ProbabilityAlive(c) * model.DiscountedPurchasesIfAlive(c, months, monthlyDiscountRate, unitsPerMonth);

    /// <summary>
    /// The purchases <see cref="DiscountedValue"/> counts, each month's discounted, for a customer still alive now: the value
    /// is these times P(alive) and the spend per order. Like <see cref="IPurchaseModel.ExpectedPurchasesIfAlive"/>, it depends
    /// on (x, T) alone, and it is the costly part (a ₂F₁ series a month under BG/NBD and MBG/NBD).
    /// </summary>
    public static double DiscountedPurchasesIfAlive(this IPurchaseModel model, RepeatBuyer c, int months = 12, double monthlyDiscountRate = 0.01, double unitsPerMonth = 4.345)
    {
        var (purchases, before) = (0.0, 0.0);
        for (var k = 1; k <= months; k++)
        {
            var upTo = model.ExpectedPurchasesIfAlive(c, k * unitsPerMonth);
            purchases += (upTo - before) / Math.Pow(1 + monthlyDiscountRate, k);
            before = upTo;
        }
        return purchases;
    }
}
