namespace WinBack.Analytics;

/// <summary>What every purchase model's fit gives, whichever the model: see <see cref="PurchaseModelFit{TModel}"/>.</summary>
public interface IPurchaseModelFit
{
    IPurchaseModel Model { get; }

    double LogLikelihood { get; }

    /// <summary>The limiting model the likelihood rises toward, when the maximum lies at a bound; null at an interior maximum.</summary>
    LimitingModel? Limit { get; }

    StandardErrors StandardErrors { get; }

    /// <summary>The fitted parameters by the reference's names (r, alpha, a, b or r, alpha, s, beta), in that order.</summary>
    IReadOnlyDictionary<string, double> Parameters { get; }

    /// <summary>
    /// The parameters a merchant or analyst may be shown: at a limiting model the ones that ran off to 0 or infinity mean
    /// nothing one by one and are null (r and α when every rate is the same, the drop-out pair otherwise).
    /// </summary>
    IReadOnlyDictionary<string, double?> ShownParameters { get; }

    /// <summary>Where this fit ended, for the next fit of the model on much the same customers to start from; null at a limiting model.</summary>
    FitStart? Start { get; }

    /// <summary>Whether this fit started where a fit nearby ended (<see cref="FitStart"/>), not from the model's own starts.</summary>
    bool StartedNear { get; }

    /// <inheritdoc cref="PurchaseModelFit{TModel}.RefitOn"/>
    IPurchaseModelFit RefitOn(IReadOnlyList<RepeatBuyer> customers);

    /// <inheritdoc cref="PurchaseModelFit{TModel}.ReturningCustomers"/>
    ReturningCustomersForecast ReturningCustomers(IReadOnlyList<RepeatBuyer> customers, double t, int draws = 400, int seed = 1);
}

/// <summary>A fitted model, its log-likelihood, the limiting model it stands for when the maximum lies at a bound, and its standard errors.</summary>
public sealed record PurchaseModelFit<TModel>(TModel Model, double LogLikelihood, LimitingModel? Limit, StandardErrors StandardErrors) : IPurchaseModelFit
    where TModel : IPurchaseModel
{
    IPurchaseModel IPurchaseModelFit.Model => Model;

    public void Deconstruct(out TModel model, out double logLikelihood) => (model, logLikelihood) = (Model, LogLikelihood);

    /// <inheritdoc/>
    public FitStart? Start { get; init; }

    /// <inheritdoc/>
    public bool StartedNear { get; init; }

    /// <summary>How this model is fitted (its starts, likelihood and limits), given the customers and where a fit nearby ended.</summary>
    internal Func<IReadOnlyList<RepeatBuyer>, FitStart?, PurchaseModelFit<TModel>>? Fitter { get; init; }

    /// <summary>
    /// The same model fitted on other customers, much like these (the shop's customers at an earlier cut, for its track
    /// record): the search starts at this fit, where it takes a few steps, and falls back to the model's usual starts when
    /// this fit is at a limit or the search does not end at a maximum. On the shops the tests draw it ends where a fit
    /// from scratch ends, at a fraction of the cost; where the likelihood has several peaks it keeps to the one nearby.
    /// </summary>
    public PurchaseModelFit<TModel> RefitOn(IReadOnlyList<RepeatBuyer> customers) =>
        (Fitter ?? throw new InvalidOperationException($"This {Model.Name} fit was not made by the fitter, so it cannot be refitted."))(customers, Start);

    IPurchaseModelFit IPurchaseModelFit.RefitOn(IReadOnlyList<RepeatBuyer> customers) => RefitOn(customers);

    public IReadOnlyDictionary<string, double> Parameters
    {
        get
        {
            var model = (IParametricModel)Model;
            return model.ParameterNames.Zip(model.Parameters).ToDictionary(p => p.First, p => p.Second);
        }
    }

    public IReadOnlyDictionary<string, double?> ShownParameters =>
        Parameters.Select((p, i) => (p.Key, Value: LogParameterFit.Unestimated(i, Limit) ? null : (double?)p.Value)).ToDictionary(p => p.Key, p => p.Value);

    /// <summary>
    /// How many of <paramref name="customers"/> will come back (buy at least once) in the next <paramref name="t"/> time
    /// units, with an 80 % interval. The expected number is the sum over customers of P(a purchase within t) at the fitted
    /// parameters. The interval combines two uncertainties: which customers buy, given the parameters (the count is then a
    /// sum of independent yes/no outcomes, a Poisson-binomial, taken as normal with variance Σ p(1 − p)), and the
    /// parameters themselves (drawn <paramref name="draws"/> times, with a fixed <paramref name="seed"/>, from the normal
    /// approximation of the fit's log-parameters with the observed-information covariance). The interval's ends are the 10th
    /// and 90th percentiles of the mixture of those normals. Parameters a limiting model leaves unestimated are held fixed.
    /// Customers with the same (x, t_x, T) are computed once, and each draw only on a spread sample of 5,000 such groups,
    /// its change from the fitted parameters' sum applied to the whole sum (a ratio estimate: the draws move every group's
    /// chance smoothly), so the cost is two full sums whatever the number of draws.
    /// </summary>
    public ReturningCustomersForecast ReturningCustomers(IReadOnlyList<RepeatBuyer> customers, double t, int draws = 400, int seed = 1) =>
        ReturningCustomersForecast.Of(Model, StandardErrors, customers, t, draws, seed);
}

/// <summary>
/// Standard errors of the fitted parameters from the observed information (the inverse of the negative Hessian of the
/// log-likelihood at the maximum), in the reference's names (r, alpha, a, b or r, alpha, s, beta); NaN for a parameter a
/// limiting model leaves unestimated or where the information is not positive definite. <see cref="LogCovariance"/> is
/// the covariance of the parameters' logs, which the forecast draws from.
/// </summary>
public sealed record StandardErrors(IReadOnlyList<string> Names, IReadOnlyList<double> Values, double[,] LogCovariance)
{
    public double this[string name] => Values[Names.ToList().IndexOf(name) is var i and >= 0 ? i : throw new ArgumentException($"No parameter {name}.", nameof(name))];
}

/// <summary>Parameters as a list, for the fitter and the forecast: every purchase model has four, rate ones first.</summary>
internal interface IParametricModel
{
    IReadOnlyList<string> ParameterNames { get; }

    double[] Parameters { get; }

    /// <summary>The same kind of model with other parameters, in <see cref="ParameterNames"/>' order.</summary>
    IPurchaseModel WithParameters(double[] parameters);

    /// <summary>P(alive) for each group of folded customers, each term computed once (<see cref="GroupedForecasts"/>).</summary>
    double[] ProbabilitiesAlive(GroupedCustomers data);
}
