namespace WinBack.Analytics.Tests.Models;

/// <summary>
/// The fits follow each model's exact gradient of the folded log-likelihood (by the logs of the parameters); here it is
/// held to central differences of the per-customer log-likelihood, summed customer by customer, at ordinary and at
/// lopsided parameters (one scale a hundred times the other sends Pareto/NBD to its numerical tail).
/// </summary>
public sealed class GradientTests
{
    private static readonly List<RepeatBuyer> Customers =
    [
        new(0, 0, 38.86), new(0, 0, 27), new(0, 0, 27), new(1, 1.71, 38.86), new(2, 30.43, 38.86), new(7, 29.43, 38.86),
        new(29, 37.71, 38), new(26, 30.86, 31), new(3, 31, 31), new(1, 0.14, 0.14), new(5, 12, 52), new(12, 51.9, 52),
    ];

    public static TheoryData<string, double[]> Points => new()
    {
        { "BG/NBD", [0.243, 4.414, 0.793, 2.426] },
        { "BG/NBD", [3, 0.4, 40, 900] },
        { "MBG/NBD", [0.525, 6.183, 0.891, 1.614] },
        { "MBG/NBD", [0.05, 80, 3, 0.2] },
        { "Pareto/NBD", [0.553, 10.578, 0.606, 11.669] },
        { "Pareto/NBD", [2.5, 0.3, 0.2, 60] },
        { "Pareto/NBD", [0.4, 900, 1.5, 2] },
        { "Pareto/NBD", [0.4, 0.9, 1.5, 400] },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void The_folded_likelihood_and_its_gradient_match_finite_differences(string name, double[] parameters)
    {
        var data = new GroupedCustomers(Customers);
        var gradient = new double[4];

        var value = Folded(name, parameters, data, gradient);

        value.Should().BeApproximately(Model(name, parameters).LogLikelihood(Customers), 1e-9 * Math.Abs(value), "folding changes nothing");
        for (var i = 0; i < 4; i++)
        {
            const double h = 1e-5;
            double At(double step)
            {
                var p = (double[])parameters.Clone();
                p[i] *= Math.Exp(step);
                return Model(name, p).LogLikelihood(Customers);
            }
            var numeric = (At(h) - At(-h)) / (2 * h);
            gradient[i].Should().BeApproximately(numeric, 1e-6 * Math.Max(1, Math.Abs(numeric)), $"∂/∂ln {i} of {name}");
        }
    }

    /// <summary>
    /// The fits take the Hessian (for the maximum's check, Newton's steps and the standard errors) by forward differences
    /// of the gradient first, half the evaluations of central ones: on CDNOW, at ordinary and lopsided parameters, it is the
    /// central differences' Hessian to 1e-5 of the curvatures' scale.
    /// </summary>
    [Theory]
    [MemberData(nameof(Points))]
    public void The_forward_difference_Hessian_is_the_central_one_to_a_hundred_thousandth_of_the_curvature(string name, double[] parameters)
    {
        var data = new GroupedCustomers(Cdnow.Customers);
        double LogLikelihood(double[] logParameters, double[]? gradient) =>
            Folded(name, [.. logParameters.Select(v => Math.Exp(v))], data, gradient ?? new double[4]);
        double[] point = [.. parameters.Select(v => Math.Log(v))];
        var gradientAtPoint = new double[4];
        LogLikelihood(point, gradientAtPoint);

        var forward = Bfgs.ForwardHessian(LogLikelihood, point, gradientAtPoint, 1e-6);
        var central = Bfgs.Hessian(LogLikelihood, point, 1e-4);

        for (var i = 0; i < 4; i++)
        for (var j = 0; j < 4; j++)
            forward[i, j].Should().BeApproximately(central[i, j], 1e-5 * Math.Sqrt(Math.Abs(central[i, i] * central[j, j])), $"∂²/∂ln {i} ∂ln {j} of {name}");
    }

    [Theory]
    [InlineData(6.25, 3.74, 15.44)]
    [InlineData(0.3, 40, 0.02)]
    [InlineData(80, 1.2, 3000)]
    public void Gamma_gammas_folded_likelihood_and_its_gradient_match_the_customers_terms_and_finite_differences(double p, double q, double gamma)
    {
        // Repeat customers with their mean repeat value; two share (x, m), one-time buyers are left out of the fit.
        RepeatBuyer[] customers = [new(1, 0, 0, 25), new(1, 0, 0, 25), new(2, 0, 0, 17.5), new(7, 0, 0, 61.2), new(29, 0, 0, 3.99), new(3, 0, 0, 140), new(0, 0, 0)];
        var data = GammaGamma.Folded.Of(customers);
        var gradient = new double[3];

        var value = data.LogLikelihood(p, q, gamma, gradient);

        double Summed(double[] at) => customers.Where(c => c.Frequency > 0).Sum(c => new GammaGamma(at[0], at[1], at[2]).LogLikelihood(c));
        value.Should().BeApproximately(Summed([p, q, gamma]), 1e-9 * Math.Abs(value), "folding changes nothing");
        for (var i = 0; i < 3; i++)
        {
            const double h = 1e-5;
            double At(double step)
            {
                double[] at = [p, q, gamma];
                at[i] *= Math.Exp(step);
                return Summed(at);
            }
            var numeric = (At(h) - At(-h)) / (2 * h);
            gradient[i].Should().BeApproximately(numeric, 1e-6 * Math.Max(1, Math.Abs(numeric)), $"∂/∂ln {i} of Gamma-Gamma");
        }
    }

    [Theory]
    [InlineData(1, -0.5772156649015329)]
    [InlineData(0.5, -1.9635100260214235)]
    [InlineData(10, 2.251752589066721)]
    [InlineData(1e-3, -1000.5755719318103)]
    [InlineData(250.5, 5.521461584527046)]
    public void Digamma_gives_the_tabulated_values(double x, double expected) =>
        SpecialFunctions.Digamma(x).Should().BeApproximately(expected, 1e-12 * Math.Max(1, Math.Abs(expected)));

    private static IPurchaseModel Model(string name, double[] p) => name switch
    {
        "BG/NBD" => new BetaGeometricNbd(p[0], p[1], p[2], p[3]),
        "MBG/NBD" => new ModifiedBetaGeometricNbd(p[0], p[1], p[2], p[3]),
        _ => new ParetoNbd(p[0], p[1], p[2], p[3]),
    };

    private static double Folded(string name, double[] p, GroupedCustomers data, double[] gradient) => Model(name, p) switch
    {
        BetaGeometricModel m => m.LogLikelihood(data, gradient),
        ParetoNbd m => m.LogLikelihood(data, gradient),
        _ => throw new ArgumentException(name),
    };
}
