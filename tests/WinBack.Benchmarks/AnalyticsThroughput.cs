using System.Diagnostics;
using WinBack.Analytics;

namespace WinBack.Benchmarks;

/// <summary>
/// Fit and score a large shop's customers (default 1,000,000) with the models: customers drawn from a BG/NBD process
/// (times in whole days, expressed in weeks, as WinBack will feed them), then BG/NBD and Gamma-Gamma fitted, and every
/// customer scored (P(alive), expected purchases in 52 weeks, expected spend per order, RFM); then MBG/NBD and
/// Pareto/NBD fitted on the same customers, each timed on its own, and again as the weekly refit fits them a week on
/// (every customer a week older): from the models' own starts, and from where the week before's fit ended.
/// </summary>
public static class AnalyticsThroughput
{
    public static Task<int> RunAsync(string[] args)
    {
        var count = Options.Int(args, "--customers", 1_000_000);
        var random = new Random(11);
        var customers = new RepeatBuyer[count];
        for (var i = 0; i < count; i++)
        {
            var ageDays = 30 + random.Next(700);
            var rate = -Math.Log(1 - random.NextDouble()) * 0.25 / 7;   // purchases a day, gamma(1)-ish across customers
            var dropout = 0.05 + random.NextDouble() * 0.4;
            int x = 0, last = 0, day = 0;
            while (true)
            {
                day += (int)Math.Ceiling(-Math.Log(1 - random.NextDouble()) / Math.Max(rate, 1e-4));
                if (day > ageDays) break;
                x++;
                last = day;
                if (random.NextDouble() < dropout) break;
            }
            customers[i] = new RepeatBuyer(x, last / 7.0, ageDays / 7.0, x > 0 ? 20 + random.Next(200) : 0);
        }

        var started = Stopwatch.StartNew();
        var (model, ll) = BetaGeometricNbd.Fit(customers);
        var fitted = started.Elapsed;
        var spend = GammaGamma.Fit(customers).Estimate;
        var spendFitted = started.Elapsed;
        double sumAlive = 0, sumPurchases = 0, sumValue = 0;
        var rfmInput = new RfmInput[count];
        for (var i = 0; i < count; i++)
        {
            var c = customers[i];
            sumAlive += model.ProbabilityAlive(c);
            sumPurchases += model.ExpectedPurchases(c, 52);
            sumValue += spend.ExpectedAverageValue(c);
            rfmInput[i] = new RfmInput(i, (int)((c.Age - c.Recency) * 7), c.Frequency + 1, (decimal)(c.AverageRepeatValue * (c.Frequency + 1)));
        }
        var scored = started.Elapsed;
        var rfm = Rfm.Score(rfmInput);
        var total = started.Elapsed;
        Console.WriteLine($"analytics: {count:N0} customers; BG/NBD fit {fitted.TotalSeconds:0.00} s ({model}, LL {ll:N1}), Gamma-Gamma fit {(spendFitted - fitted).TotalSeconds:0.00} s, " +
                          $"scoring {(scored - spendFitted).TotalSeconds:0.00} s, RFM {(total - scored).TotalSeconds:0.00} s; total {total.TotalSeconds:0.00} s " +
                          $"(mean P(alive) {sumAlive / count:0.000}, mean purchases next 52 weeks {sumPurchases / count:0.00}, {rfm.Count:N0} RFM scores)");
        var weekOn = new RepeatBuyers(customers.Select(c => c with { Age = c.Age + 1 }));
        foreach (var (name, fit) in new (string, Func<IPurchaseModelFit>)[] { ("MBG/NBD", () => ModifiedBetaGeometricNbd.Fit(customers)), ("Pareto/NBD", () => ParetoNbd.Fit(customers)) })
        {
            var clock = Stopwatch.StartNew();
            var other = fit();
            Console.WriteLine($"{name} fit {clock.Elapsed.TotalSeconds:0.00} s ({string.Join(", ", other.Parameters.Select(p => $"{p.Key} {p.Value:G4}"))}, LL {other.LogLikelihood:N1})");
            // Three of each in turn (the first also groups the customers), the median of each.
            var (fromStarts, fromLastWeek) = (new List<(double Seconds, IPurchaseModelFit Fit)>(), new List<(double Seconds, IPurchaseModelFit Fit)>());
            for (var round = 0; round < 3; round++)
            {
                fromStarts.Add(Timed(() => PurchaseModelChoice.Fit(name, weekOn)));
                fromLastWeek.Add(Timed(() => PurchaseModelChoice.Fit(name, weekOn, other.Start)));
            }
            var (searched, nearby) = (fromStarts.OrderBy(f => f.Seconds).ElementAt(1), fromLastWeek.OrderBy(f => f.Seconds).ElementAt(1));
            Console.WriteLine($"{name} a week on: from its starts {searched.Seconds:0.00} s (LL {searched.Fit.LogLikelihood:N3}), " +
                              $"from the week before's fit {nearby.Seconds:0.00} s (LL {nearby.Fit.LogLikelihood:N3}{(nearby.Fit.StartedNear ? "" : ", fell back to its starts")}), medians of 3");
        }
        return Task.FromResult(double.IsFinite(sumPurchases) ? 0 : 1);
    }

    private static (double Seconds, IPurchaseModelFit Fit) Timed(Func<IPurchaseModelFit> fit)
    {
        var clock = Stopwatch.StartNew();
        var fitted = fit();
        return (clock.Elapsed.TotalSeconds, fitted);
    }
}
