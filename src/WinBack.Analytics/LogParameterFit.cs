namespace WinBack.Analytics;

/// <summary>
/// How every purchase model is fitted, in one place: maximum likelihood by BFGS on the logs of the four parameters (so
/// they stay positive), with the model's own gradient, over customers folded into distinct (x, t_x, T). Each start is
/// taken roughly to its end and only the best is polished, then settled by Newton's steps; a large shop's starts run on a
/// systematic sample of it, the polish on everyone; a fit on much the same customers (the shop's earlier cut) starts at the
/// fit it is near instead.
/// An end inside the bounds must be a maximum (flat gradient, negative definite Hessian) or the fit
/// says the data do not pin the model down; an end where the likelihood still rises toward a limit is reported as that
/// limiting model, never as the clamped point's numbers. Standard errors come from the observed information at the end.
/// </summary>
internal static class LogParameterFit
{
    /// <summary>
    /// The fit searches the logs of the parameters between these bounds. Beyond them the objective is not a number, so a
    /// line search steps back instead of stopping on a flat clamped stretch; near them the model is read as its limit.
    /// </summary>
    private static readonly double LowerLog = Math.Log(1e-8), UpperLog = Math.Log(1e8);

    /// <summary>
    /// Whether the parameter at <paramref name="index"/> (every model lists the rate pair r, α first, then its drop-out
    /// pair) ran off to 0 or infinity at <paramref name="limit"/>, so that it has neither a value to show nor a standard error.
    /// </summary>
    public static bool Unestimated(int index, LimitingModel? limit) => index < 2 ? limit is { RateUnbounded: true } : limit is { DropoutUnbounded: true };

    /// <summary>
    /// With more distinct (x, t_x, T) than this, the starts are compared on every k-th customer, <see cref="SampleSize"/> in
    /// all, if the sample holds at least <see cref="SampleRepeatCustomers"/> repeat buyers: the starts' ends differ far more
    /// than such a sample's noise. Fewer groups cost little, and a shop of few repeat buyers has few groups.
    /// </summary>
    private const int SampleAbove = 50_000, SampleSize = 50_000, SampleRepeatCustomers = 2_000;

    /// <summary>The shop's mean age and mean repeat rate (repeat purchases per unit of age): where the starts are put.</summary>
    public static (double MeanAge, double RepeatRate) Scale(IReadOnlyList<RepeatBuyer> customers) =>
        (Math.Max(customers.Average(c => c.Age), 1e-3), Math.Max(customers.Sum(c => (double)c.Frequency) / Math.Max(customers.Sum(c => c.Age), 1e-9), 1e-4));

    /// <summary>
    /// Fits a model of four parameters, built by <paramref name="model"/> from their values, whose log-likelihood over folded
    /// customers (and its gradient by the logs of the parameters, when given an array) is <paramref name="logLikelihood"/>.
    /// </summary>
    /// <param name="startsFor">Where the search starts for given customers (scaled to them).</param>
    /// <param name="near">
    /// Where a fit of the same model on much the same customers ended (last week's, or the whole shop's for its earlier
    /// cut): the search starts there, with that fit's curvature, and skips the starts; if it does not end at an interior
    /// maximum, or the start cannot be used, the starts are tried.
    /// </param>
    public static PurchaseModelFit<TModel> Fit<TModel>(IReadOnlyList<RepeatBuyer> customers, Func<IReadOnlyList<RepeatBuyer>, double[][]> startsFor, Func<double[], TModel> model,
        Func<TModel, GroupedCustomers, double[]?, double> logLikelihood, Func<TModel, LimitingModel?> limitOf, FitStart? near = null)
        where TModel : IPurchaseModel, IParametricModel
    {
        if (customers.Count(c => c.Frequency > 0) < PurchaseModels.MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The purchase model needs at least {PurchaseModels.MinimumRepeatCustomers} customers who bought more than once.");
        var all = RepeatBuyers.GroupedOf(customers);
        // The mean log-likelihood, so the first step's size does not grow with the number of customers.
        Func<double[], double[]?, double> Objective(GroupedCustomers data) =>
            Settling.Objective((p, gradient) => logLikelihood(model([.. p.Select(Math.Exp)]), data, gradient), data.Size, LowerLog, UpperLog);
        var objective = Objective(all);
        PurchaseModelFit<TModel> Ended(Settling.Settlement end, LimitingModel? limit, bool startedNear)
        {
            var (best, hessian) = (end.End, end.Hessian);
            var fitted = model([.. best.Point.Select(Math.Exp)]);
            return new PurchaseModelFit<TModel>(fitted, -best.Value * customers.Count, limit, StandardErrorsAt(fitted, hessian, customers.Count, limit))
            {
                // A fit at a limit is no start: the likelihood is flat out there.
                Start = limit is null && best.InverseHessian is { } curvature ? FitStart.Of(fitted.Name, best.Point, curvature) : null,
                StartedNear = startedNear,
                Fitter = FitterOf(startsFor, model, logLikelihood, limitOf),
            };
        }

        // From a fit nearby: a few steps to its maximum.
        if (near?.UsableCurvature(4, LowerLog, UpperLog) is { } nearCurvature)
        {
            var settled = Settling.Settle(objective, Bfgs.Minimise(objective, near.LogParameters, inverseHessian: nearCurvature), customers.Count);
            if (double.IsFinite(settled.End.Value) && limitOf(model([.. settled.End.Point.Select(Math.Exp)])) is null && settled.IsMinimum)
                return Ended(settled, null, startedNear: true);
        }

        var sample = all;
        if (all.Counts.Length > SampleAbove && customers.Count > 2 * SampleSize && Systematic(customers, SampleSize) is var drawn
            && drawn.Count(c => c.Frequency > 0) >= SampleRepeatCustomers)
            sample = new GroupedCustomers(drawn);
        var roughly = startsFor(customers).Select(s => Bfgs.Minimise(Objective(sample), s, gradientTolerance: 1e-4)).Where(r => double.IsFinite(r.Value) && r.Point.All(double.IsFinite))
                          .MinBy(r => r.Value)
                      ?? throw new NotEnoughDataException("The purchase data do not pin the model down (the fit did not settle); showing the fixed-weeks rule only.");
        var polished = Settling.Settle(objective, Bfgs.Minimise(objective, roughly.Point, inverseHessian: roughly.InverseHessian), customers.Count);
        var limit = limitOf(model([.. polished.End.Point.Select(Math.Exp)]));
        if (limit is null && !polished.IsMinimum)
            throw new NotEnoughDataException("The purchase data do not pin the model down (no single best fit); showing the fixed-weeks rule only.");
        return Ended(polished, limit, startedNear: false);
    }

    /// <summary>How a fit is made again, as a fit keeps it: from the model's parts only (a closure in <see cref="Fit{TModel}"/> would hold its customers).</summary>
    private static Func<IReadOnlyList<RepeatBuyer>, FitStart?, PurchaseModelFit<TModel>> FitterOf<TModel>(
        Func<IReadOnlyList<RepeatBuyer>, double[][]> startsFor, Func<double[], TModel> model, Func<TModel, GroupedCustomers, double[]?, double> logLikelihood,
        Func<TModel, LimitingModel?> limitOf) where TModel : IPurchaseModel, IParametricModel =>
        (others, from) => Fit(others, startsFor, model, logLikelihood, limitOf, from);

    /// <summary>Every k-th customer, <paramref name="size"/> of them: for data in any order (by first purchase, by id) a spread of all of it.</summary>
    private static List<RepeatBuyer> Systematic(IReadOnlyList<RepeatBuyer> customers, int size)
    {
        var step = (double)customers.Count / size;
        return [.. Enumerable.Range(0, size).Select(i => customers[(int)(i * step)])];
    }

    /// <summary>
    /// Standard errors from the observed information: the Hessian of the mean negative log-likelihood in the log-parameters
    /// (differences of the exact gradient, <see cref="Settling.Curvature"/>), times the number of customers, inverted; by the delta method
    /// SE(θ) = θ·SE(ln θ). At a limiting model the parameters that ran off are held where they are and get no standard error.
    /// </summary>
    private static StandardErrors StandardErrorsAt(IParametricModel model, double[,] hessian, int customers, LimitingModel? limit)
    {
        var n = model.Parameters.Length;
        var free = Enumerable.Range(0, n).Where(i => !Unestimated(i, limit)).ToArray();
        var information = new double[free.Length, free.Length];
        for (var i = 0; i < free.Length; i++)
        for (var j = 0; j < free.Length; j++)
            information[i, j] = hessian[free[i], free[j]] * customers;
        var covariance = new double[n, n];
        var values = Enumerable.Repeat(double.NaN, n).ToArray();
        if (free.Length > 0 && Cholesky.TryFactor(information, out var lower))
        {
            var inverse = Cholesky.Inverse(lower);
            for (var i = 0; i < free.Length; i++)
            {
                for (var j = 0; j < free.Length; j++) covariance[free[i], free[j]] = inverse[i, j];
                values[free[i]] = model.Parameters[free[i]] * Math.Sqrt(inverse[i, i]);
            }
        }
        return new StandardErrors(model.ParameterNames, values, covariance);
    }
}
