namespace WinBack.Analytics;

/// <summary>The three purchase models fitted side by side, and the rule that picks one of them.</summary>
public static class PurchaseModels
{
    /// <summary>Below this many repeat buyers a fit says "not enough data" rather than guess.</summary>
    public const int MinimumRepeatCustomers = 5;

    /// <summary>Fits BG/NBD, MBG/NBD and Pareto/NBD on the same customers; a model the data cannot support gets its reason instead.</summary>
    public static PurchaseModelFits FitAll(IReadOnlyList<RepeatBuyer> customers)
    {
        customers = RepeatBuyers.Shared(customers);
        var bg = TryFit(() => BetaGeometricNbd.Fit(customers));
        var mbg = TryFit(() => ModifiedBetaGeometricNbd.Fit(customers));
        var pareto = TryFit(() => ParetoNbd.Fit(customers));
        return new PurchaseModelFits(bg.Fit, bg.Note, mbg.Fit, mbg.Note, pareto.Fit, pareto.Note);
    }

    /// <summary>A fit, or why there is none.</summary>
    public static (T? Fit, string? Note) TryFit<T>(Func<T> fit) where T : class
    {
        try
        {
            return (fit(), null);
        }
        catch (NotEnoughDataException e)
        {
            return (null, e.Message);
        }
    }
}

/// <summary>Each model's fit, or the note that says why it has none.</summary>
public sealed record PurchaseModelFits(
    PurchaseModelFit<BetaGeometricNbd>? BgNbd, string? BgNbdNote,
    PurchaseModelFit<ModifiedBetaGeometricNbd>? MbgNbd, string? MbgNbdNote,
    PurchaseModelFit<ParetoNbd>? ParetoNbd, string? ParetoNbdNote)
{
    public IEnumerable<IPurchaseModelFit> Fitted => new IPurchaseModelFit?[] { BgNbd, MbgNbd, ParetoNbd }.OfType<IPurchaseModelFit>();

    /// <summary>How <see cref="Choose"/> chooses, in words for an analyst's report; it changes with the rule.</summary>
    public const string ChoiceRule = "the highest log-likelihood of the fitted models (each has four parameters)";

    /// <summary>
    /// The model to use when the caller leaves the choice to the data. For now the highest log-likelihood: the three have
    /// four parameters each, so there is nothing to penalise. This is the one place to put a better rule (a holdout check),
    /// with <see cref="ChoiceRule"/> beside it.
    /// </summary>
    public IPurchaseModelFit? Choose() => Fitted.MaxBy(f => f.LogLikelihood);
}

/// <summary>
/// Which purchase model scores a shop's customers: the one that predicted the shop's own held-out weeks best. Only the
/// models that give a one-time buyer a real P(alive) take part (MBG/NBD and Pareto/NBD; BG/NBD says 1 for every one of
/// them by construction, and most of a shop's customers buy once). Best is the lower Brier score of "buys again within
/// the holdout", a proper score of those chances; a shop with no holdout check yet takes the higher likelihood.
/// </summary>
public static class PurchaseModelChoice
{
    public static readonly IReadOnlyList<string> Candidates = ["MBG/NBD", "Pareto/NBD"];

    /// <summary>
    /// Fits one candidate (or BG/NBD, by name) on <paramref name="customers"/>: the refit's own fit and the holdout check's;
    /// from <paramref name="near"/> (where a fit of the model on much the same customers ended) when it is given.
    /// </summary>
    public static IPurchaseModelFit Fit(string name, IReadOnlyList<RepeatBuyer> customers, FitStart? near = null) => name switch
    {
        "MBG/NBD" => ModifiedBetaGeometricNbd.Fit(customers, near),
        "Pareto/NBD" => ParetoNbd.Fit(customers, near),
        _ => BetaGeometricNbd.Fit(customers, near),
    };

    /// <summary>
    /// Each candidate's fit, or why the data could not support it; BG/NBD, which is never chosen, is not fitted. A candidate
    /// with one of <paramref name="near"/> (by model name: where last week's fit of it ended) starts there.
    /// </summary>
    public static IReadOnlyList<(string Name, IPurchaseModelFit? Fit, string? Note)> FitCandidates(IReadOnlyList<RepeatBuyer> customers,
        IReadOnlyCollection<FitStart>? near = null)
    {
        customers = RepeatBuyers.Shared(customers);
        // Side by side: each fit's sums over the customers use every core, but not its serial stretches (the steps between
        // the sums, the starts on a sample), which the other fit fills.
        return Candidates.AsParallel().AsOrdered()
            .Select(name => PurchaseModels.TryFit(() => Fit(name, customers, near?.FirstOrDefault(s => s.Model == name))) is var (fit, note) ? (name, fit, note) : default)
            .ToList();
    }

    /// <summary>The chosen fit and why, in a sentence for "About these numbers"; null when no candidate could be fitted.</summary>
    public static (IPurchaseModelFit Fit, string Reason)? Choose(IReadOnlyList<IPurchaseModelFit> candidates, IReadOnlyDictionary<string, HoldoutResult> checks)
    {
        if (candidates.Count == 0) return null;
        var judged = candidates.Select(f => (Fit: f, Record: checks.GetValueOrDefault(f.Model.Name) as TrackRecord)).ToList();
        if (judged.All(j => j.Record is not null))
        {
            var ranked = judged.OrderBy(j => j.Record!.Model.BrierScore).ToList();
            var best = ranked[0];
            var weeks = MerchantText.Weeks(best.Record!.HoldoutWeeks);
            var others = string.Join(" and ", ranked.Skip(1).Select(j => $"{j.Fit.Model.Name}'s {j.Record!.Model.BrierScore.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}"));
            var reason = ranked.Count == 1
                ? $"{best.Fit.Model.Name} was checked on your last {weeks} (Brier score {best.Record.Model.BrierScore.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)})."
                : $"{best.Fit.Model.Name} predicted who ordered in your last {weeks} best: Brier score {best.Record.Model.BrierScore.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} against {others} (lower is better).";
            return (best.Fit, reason);
        }
        var likeliest = candidates.MaxBy(f => f.LogLikelihood)!;
        return (likeliest, $"{likeliest.Model.Name} fits your orders best (the higher likelihood); your shop's own past is too short to check the models on yet.");
    }

    /// <summary>A stored model back from its name and parameters (in the reference's order).</summary>
    public static IPurchaseModel? Create(string? name, IReadOnlyList<double>? p) => (name, p) switch
    {
        ("BG/NBD", [var r, var alpha, var a, var b]) => new BetaGeometricNbd(r, alpha, a, b),
        ("MBG/NBD", [var r, var alpha, var a, var b]) => new ModifiedBetaGeometricNbd(r, alpha, a, b),
        ("Pareto/NBD", [var r, var alpha, var s, var beta]) => new ParetoNbd(r, alpha, s, beta),
        _ => null,
    };

    /// <summary>
    /// The customer's purchase rate if still active, per time unit: in all three models λ's posterior given the customer is
    /// alive is Gamma(r + x, α + T), whose mean blends their own orders with the shop's typical rate.
    /// </summary>
    public static double RateIfActive(IPurchaseModel model, RepeatBuyer c) => model switch
    {
        BetaGeometricModel m => m.RateIfActive(c),
        ParetoNbd m => (m.R + c.Frequency) / (m.Alpha + c.Age),
        _ => throw new ArgumentException($"No rate for {model.Name}.", nameof(model)),
    };
}
