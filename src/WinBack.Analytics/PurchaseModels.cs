namespace WinBack.Analytics;

/// <summary>The three purchase models fitted side by side, and the rule that picks one of them.</summary>
public static class PurchaseModels
{
    /// <summary>Below this many repeat buyers a fit says "not enough data" rather than guess.</summary>
    public const int MinimumRepeatCustomers = 5;

    /// <summary>Fits BG/NBD, MBG/NBD and Pareto/NBD on the same customers; a model the data cannot support gets its reason instead.</summary>
    public static PurchaseModelFits FitAll(IReadOnlyList<RepeatBuyer> customers)
    {
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
