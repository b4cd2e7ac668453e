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
