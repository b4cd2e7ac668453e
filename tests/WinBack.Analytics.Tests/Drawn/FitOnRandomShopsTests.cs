using Xunit.Abstractions;

namespace WinBack.Analytics.Tests.Drawn;

/// <summary>
/// Every purchase model on shops whose parameters nobody chose: 36 shops drawn from each process in turn, with rates,
/// drop-out, sizes (1,000 to 6,000 customers) and ages spread over log-uniform ranges, their orders counted by purchase day
/// as a shop's reach the models. Each model's fit on each shop, the process it came from or not, must reach the maximum an
/// independent Nelder-Mead finds and agree with it on every customer's P(alive).
/// </summary>
public sealed class FitOnRandomShopsTests(ITestOutputHelper output)
{
    private const int Shops = 36;

    /// <summary>Pareto/NBD's reference likelihood sums a slow series: its Nelder-Mead runs on the shops up to this size.</summary>
    private const int ParetoReferenceUpTo = 3_500;

    public static TheoryData<DrawnShop, string> Fits()
    {
        var random = new Random(20261203);
        double LogUniform(double low, double high) => Math.Exp(Math.Log(low) + random.NextDouble() * (Math.Log(high) - Math.Log(low)));
        var fits = new TheoryData<DrawnShop, string>();
        for (var k = 0; k < Shops; k++)
        {
            var process = (Process)(k % 3);
            var (r, alpha, a, b) = (LogUniform(0.05, 5), LogUniform(0.1, 30), LogUniform(0.05, 5), LogUniform(0.2, 60));
            if (process == Process.ParetoNbd) b = LogUniform(0.5, 100);
            var customers = random.Next(1_000, 6_000);
            var acquisitionDays = random.Next(30, 720);
            var shop = new DrawnShop($"random shop {k} ({process}, {customers:N0} customers)", r, alpha, a, b, customers, acquisitionDays,
                acquisitionDays + random.Next(1, 200), 1000 + k, process, ByDay: true);
            fits.Add(shop, "BG/NBD");
            fits.Add(shop, "MBG/NBD");
            if (customers <= ParetoReferenceUpTo) fits.Add(shop, "Pareto/NBD");
        }
        return fits;
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void The_fit_reaches_the_maximum(DrawnShop shop, string model)
    {
        // The drawn parameters and, for the BG models, the four spread-out starts; the reference is kept inside the fit's
        // bounds (1e-8 to 1e8), where it is a number (far outside, its sums overflow into nonsense maxima).
        double[] drawn = [Math.Log(shop.R), Math.Log(shop.Alpha), Math.Log(shop.A), Math.Log(shop.B)];
        Func<List<RepeatBuyer>, Func<double[], double>> reference = model switch
        {
            "BG/NBD" => c => Bounded(ReferenceLikelihoods.BetaGeometric(c, modified: false)),
            "MBG/NBD" => c => Bounded(ReferenceLikelihoods.BetaGeometric(c, modified: true)),
            _ => c => Bounded(ReferenceLikelihoods.Pareto(c)),
        };
        double[][] starts = model == "Pareto/NBD" ? [drawn, HeldToNelderMead.Starts[0]] : [drawn, .. HeldToNelderMead.Starts];
        HeldToNelderMead.Check(output, shop, customers => PurchaseModelChoice.Fit(model, customers), reference, starts, restarts: 8);
    }

    private static readonly double Bound = Math.Log(1e8);

    private static Func<double[], double> Bounded(Func<double[], double> likelihood) =>
        p => p.All(v => Math.Abs(v) <= Bound) ? likelihood(p) : double.NegativeInfinity;
}
