namespace WinBack.Analytics;

/// <summary>
/// How every purchase model is fitted, in one place: maximum likelihood by BFGS on the logs of the four parameters (so
/// they stay positive), each start taken roughly to its end and only the best polished; an end inside the bounds must be
/// a maximum (flat gradient, negative definite Hessian) or the fit says the data do not pin the model down; an end where
/// the likelihood still rises toward a limit is reported as that limiting model, never as the clamped point's numbers.
/// Standard errors come from the observed information at the end.
/// </summary>
internal static class LogParameterFit
{
    /// <summary>
    /// The fit searches the logs of the parameters between these bounds. Beyond them the objective is not a number, so a
    /// line search steps back instead of stopping on a flat clamped stretch; near them the model is read as its limit.
    /// </summary>
    private static readonly double LowerLog = Math.Log(1e-8), UpperLog = Math.Log(1e8);

    /// <summary>Indices of the rate parameters (r, α) and the drop-out parameters (a, b or s, β) in every model's parameter list.</summary>
    private static readonly int[] RateParameters = [0, 1], DropoutParameters = [2, 3];

    /// <summary>The customers folded for fitting, once there are enough repeat buyers to fit anything.</summary>
    public static GroupedCustomers GroupFor(IReadOnlyList<RepeatBuyer> customers)
    {
        if (customers.Count(c => c.Frequency > 0) < PurchaseModels.MinimumRepeatCustomers)
            throw new NotEnoughDataException($"The purchase model needs at least {PurchaseModels.MinimumRepeatCustomers} customers who bought more than once.");
        return new GroupedCustomers(customers);
    }

    /// <summary>The shop's mean age and mean repeat rate (repeat purchases per unit of age): where the starts are put.</summary>
    public static (double MeanAge, double RepeatRate) Scale(IReadOnlyList<RepeatBuyer> customers) =>
        (Math.Max(customers.Average(c => c.Age), 1e-3), Math.Max(customers.Sum(c => (double)c.Frequency) / customers.Sum(c => c.Age), 1e-4));

    public static PurchaseModelFit<TModel> Fit<TModel>(int customers, double[][] starts, Func<double[], TModel> fromLogs, Func<TModel, double> logLikelihood,
        Func<TModel, LimitingModel?> limitOf) where TModel : IPurchaseModel, IParametricModel
    {
        // The mean log-likelihood, so the first step's size does not grow with the number of customers.
        double Objective(double[] p) => p.All(v => v >= LowerLog && v <= UpperLog) && logLikelihood(fromLogs(p)) is var ll && double.IsFinite(ll) ? -ll / customers : double.NaN;
        // Each start is taken roughly to its end, and only the best is polished: three starts cost little more than one.
        var roughly = starts.Select(s => Bfgs.Minimise(Objective, s, gradientTolerance: 1e-4)).Where(r => double.IsFinite(r.Value) && r.Point.All(double.IsFinite))
                          .MinBy(r => r.Value)
                      ?? throw new NotEnoughDataException("The purchase data do not pin the model down (the fit did not settle); showing the fixed-weeks rule only.");
        var best = Bfgs.Minimise(Objective, roughly.Point);
        var model = fromLogs(best.Point);
        var limit = limitOf(model);
        if (limit is null && !Bfgs.IsMinimum(Objective, best.Point))
            throw new NotEnoughDataException("The purchase data do not pin the model down (no single best fit); showing the fixed-weeks rule only.");
        return new PurchaseModelFit<TModel>(model, -best.Value * customers, limit, StandardErrorsAt(model, best.Point, Objective, customers, limit));
    }

    /// <summary>
    /// Standard errors from the observed information: the Hessian of the mean negative log-likelihood in the log-parameters
    /// (Richardson-extrapolated central differences), times the number of customers, inverted; by the delta method
    /// SE(θ) = θ·SE(ln θ). At a limiting model the parameters that ran off are held where they are and get no standard error.
    /// </summary>
    private static StandardErrors StandardErrorsAt(IParametricModel model, double[] logs, Func<double[], double> objective, int customers, LimitingModel? limit)
    {
        var names = model.ParameterNames;
        var free = Enumerable.Range(0, logs.Length)
            .Except(limit is { RateUnbounded: true } ? RateParameters : []).Except(limit is { DropoutUnbounded: true } ? DropoutParameters : []).ToArray();
        var covariance = new double[logs.Length, logs.Length];
        var values = Enumerable.Repeat(double.NaN, logs.Length).ToArray();
        double OfFree(double[] q)
        {
            var p = (double[])logs.Clone();
            for (var i = 0; i < free.Length; i++) p[free[i]] = q[i];
            return objective(p);
        }
        var information = Bfgs.Hessian(OfFree, free.Select(i => logs[i]).ToArray(), 1e-2, extrapolate: true);
        for (var i = 0; i < free.Length; i++)
        for (var j = 0; j < free.Length; j++)
            information[i, j] *= customers;
        if (free.Length > 0 && Cholesky.TryFactor(information, out var lower))
        {
            var inverse = Cholesky.Inverse(lower);
            for (var i = 0; i < free.Length; i++)
            {
                for (var j = 0; j < free.Length; j++) covariance[free[i], free[j]] = inverse[i, j];
                values[free[i]] = model.Parameters[free[i]] * Math.Sqrt(inverse[i, i]);
            }
        }
        return new StandardErrors(names, values, covariance);
    }
}
