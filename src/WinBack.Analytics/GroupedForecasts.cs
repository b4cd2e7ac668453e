namespace WinBack.Analytics;

/// <summary>
/// What a purchase model forecasts for each group of folded customers, each term computed once: P(alive) by the model's
/// own grouped computation (under Pareto/NBD a ₂F₁ per distinct (x, t), not two per group), and what a customer still
/// alive does next once per distinct (x, T), the only things it depends on (<see cref="IPurchaseModel.ExpectedPurchasesIfAlive"/>).
/// </summary>
internal static class GroupedForecasts
{
    /// <summary>P(alive) of each group: the model's grouped computation, or one P(alive) a group.</summary>
    public static double[] ProbabilitiesAlive(IPurchaseModel model, GroupedCustomers data) =>
        model is IParametricModel parametric ? parametric.ProbabilitiesAlive(data) : EachGroup(data, model.ProbabilityAlive);

    /// <summary><paramref name="value"/> of each group's customer, on every core.</summary>
    public static double[] EachGroup(GroupedCustomers data, Func<RepeatBuyer, double> value)
    {
        var values = new double[data.Customers.Length];
        GroupedCustomers.InChunks(values.Length, g => values[g] = value(data.Customers[g]));
        return values;
    }

    /// <summary>
    /// <paramref name="ifAlive"/> of each group: a model's expectation of a customer still alive, over some horizon
    /// (<see cref="IPurchaseModel.ExpectedPurchasesIfAlive"/>, <see cref="IPurchaseModel.ProbabilityOfPurchaseWithinIfAlive"/>),
    /// computed for one group of each distinct (x, T).
    /// </summary>
    public static double[] IfAlive(GroupedCustomers data, Func<RepeatBuyer, double> ifAlive)
    {
        var (pairs, atAge) = (data.Pairs, data.PairIndex.Age);
        // One group of each (x, T) stands for every group of it.
        var standing = new int[pairs.Length];
        Array.Fill(standing, -1);
        for (var g = 0; g < atAge.Length; g++) standing[atAge[g]] = g;
        var byPair = new double[pairs.Length];
        GroupedCustomers.InChunks(pairs.Length, i =>
        {
            if (standing[i] >= 0) byPair[i] = ifAlive(data.Customers[standing[i]]);
        });
        return Array.ConvertAll(atAge, i => byPair[i]);
    }

    /// <summary>P(a purchase within <paramref name="t"/>) of each group: P(alive) times the chance if alive.</summary>
    public static double[] ProbabilitiesOfPurchaseWithin(IPurchaseModel model, GroupedCustomers data, double t)
    {
        var chances = ProbabilitiesAlive(model, data);
        var ifAlive = IfAlive(data, c => model.ProbabilityOfPurchaseWithinIfAlive(c, t));
        for (var g = 0; g < chances.Length; g++) chances[g] *= ifAlive[g];
        return chances;
    }
}
