using System.Globalization;
using System.Text.Json;
using WinBack.Analyze;

namespace WinBack.Analytics.Tests;

/// <summary>
/// The analysts' verb on the CDNOW 1/10 sample (6,919 transactions of 2,357 customers, calibration to 1997-09-30), turned
/// into customer_id,date,amount the way the README shows, against the published parameters and the oracles.
/// </summary>
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("winback-analyze-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Transactions()
    {
        var path = Path.Combine(_folder.FullName, "cdnow.csv");
        var lines = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "CDNOW_sample.txt"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => $"{f[1]},{f[2]},{f[4]}");
        File.WriteAllLines(path, lines.Prepend("customer_id,date,amount"));
        return path;
    }

    private async Task<(int Exit, string Error)> RunAsync(params string[] args)
    {
        var (exit, _, error) = await RunWithOutputAsync(args);
        return (exit, error);
    }

    private static async Task<(int Exit, string Output, string Error)> RunWithOutputAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await AnalyzeCommand.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs the command on the CDNOW sample with its calibration end and <paramref name="options"/>; the parameters' JSON and the customers' rows.</summary>
    private async Task<(JsonElement Parameters, List<string[]> Rows)> RunOnCdnowAsync(params string[] options)
    {
        var customers = Path.Combine(_folder.FullName, "customers.csv");
        var parameters = Path.Combine(_folder.FullName, "params.json");

        var (exit, error) = await RunAsync([Transactions(), "--date-format", "yyyyMMdd", "--calibration-end", "19970930", .. options, "--out", customers, "--params", parameters]);

        exit.Should().Be(0, error);
        return (JsonDocument.Parse(await File.ReadAllTextAsync(parameters)).RootElement, (await File.ReadAllLinesAsync(customers)).Select(l => l.Split(',')).ToList());
    }

    [Fact]
    public async Task The_cdnow_sample_gives_the_published_parameters_and_each_customers_numbers()
    {
        var (json, rows) = await RunOnCdnowAsync("--periods", "39");

        json.GetProperty("customers").GetInt32().Should().Be(2357);
        json.GetProperty("repeatCustomers").GetInt32().Should().Be(946);
        var bg = json.GetProperty("bgNbd");
        bg.GetProperty("r").GetDouble().Should().BeApproximately(0.243, 0.001);
        bg.GetProperty("alpha").GetDouble().Should().BeApproximately(4.414, 0.005);
        bg.GetProperty("a").GetDouble().Should().BeApproximately(0.793, 0.001);
        bg.GetProperty("b").GetDouble().Should().BeApproximately(2.426, 0.005);
        bg.GetProperty("logLikelihood").GetDouble().Should().BeApproximately(-9582.4, 0.5);
        var gg = json.GetProperty("gammaGamma");
        gg.GetProperty("p").GetDouble().Should().BeApproximately(6.25, 0.01);
        gg.GetProperty("q").GetDouble().Should().BeApproximately(3.74, 0.01);

        rows[0].Should().Equal("customer_id", "x", "t_x", "T", "p_alive", "expected_purchases_39", "predicted_value_12_months", "rfm_score", "rfm_segment");
        rows.Should().HaveCount(2358);
        double Field(string[] row, int i) => double.Parse(row[i], CultureInfo.InvariantCulture);
        var first = rows.Single(r => r[0] == "0001");
        (first[1], Field(first, 2), Field(first, 3)).Should().Be(("2", 30.428571, 38.857143), "x, t_x and T as in the CDNOW summary (30.43, 38.86)");
        Field(first, 4).Should().BeApproximately(0.726609, 0.001);
        Field(first, 5).Should().BeApproximately(1.225911, 0.005);
        Field(first, 6).Should().BeApproximately(36.278501, 0.5, "lifetimes' weekly 12-month value, 1 % a month");
        Field(rows.Single(r => r[0] == "1901"), 4).Should().BeLessThan(1e-9, "customer 1901 bought 21 times in 5 weeks, then nothing for 24");
        rows.Skip(1).Should().OnlyContain(r => r[7].Length == 3 && Enum.IsDefined(Enum.Parse<RfmSegment>(r[8])));
    }

    [Fact]
    public async Task A_file_where_every_order_costs_the_same_names_constant_spend_and_values_customers_at_that_price()
    {
        // CDNOW's customers and days, one $25 order a day.
        var path = Path.Combine(_folder.FullName, "one-price.csv");
        var days = File.ReadLines(Transactions()).Skip(1).Select(l => l.Split(',')).Select(f => $"{f[0]},{f[1]},25.00").Distinct();
        await File.WriteAllLinesAsync(path, days.Prepend("customer_id,date,amount"));
        var (customers, parameters) = (Path.Combine(_folder.FullName, "customers.csv"), Path.Combine(_folder.FullName, "params.json"));

        var (exit, error) = await RunAsync(path, "--date-format", "yyyyMMdd", "--calibration-end", "19970930", "--out", customers, "--params", parameters);

        exit.Should().Be(0, error);
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(parameters)).RootElement;
        var gg = json.GetProperty("gammaGamma");
        new[] { "p", "q", "gamma", "logLikelihood" }.Should().OnlyContain(name => gg.GetProperty(name).ValueKind == JsonValueKind.Null,
            "no parameter is estimated, and the likelihood has no bound, where there is no spread at all");
        gg.GetProperty("averageOrderValue").GetDouble().Should().Be(25);
        json.GetProperty("gammaGammaNote").GetString().Should().Contain("Every customer who ordered again spent the same on average, 25.00");
        var first = File.ReadLines(customers).Select(l => l.Split(',')).Single(r => r[0] == "0001");
        var atOnePrice = BetaGeometricNbd.Fit(Cdnow.Customers).Model.DiscountedValue(Cdnow.Customer(1), 25);
        double.Parse(first[6], CultureInfo.InvariantCulture).Should().BeApproximately(atOnePrice, 0.01 * atOnePrice, "customer 0001's purchases, each at $25");
    }

    [Fact]
    public async Task Auto_fits_all_three_models_and_scores_customers_with_the_one_of_highest_likelihood()
    {
        var (json, rows) = await RunOnCdnowAsync("--periods", "39", "--model", "auto");

        var expected = new Dictionary<string, (string Name, double Value, double Error)[]>
        {
            ["bgNbd"] = [("r", 0.2426, 0.012557), ("alpha", 4.4135, 0.378221), ("a", 0.7929, 0.185719), ("b", 2.4258, 0.705345)],
            ["mbgNbd"] = [("r", 0.52484, double.NaN), ("alpha", 6.18299, double.NaN), ("a", 0.89136, double.NaN), ("b", 1.61400, double.NaN)],
            ["paretoNbd"] = [("r", 0.55315, 0.0476), ("alpha", 10.57633, 0.8427), ("s", 0.60625, 0.1873), ("beta", 11.67150, 6.2105)],
        };
        foreach (var (section, values) in expected)
        {
            var fit = json.GetProperty(section);
            foreach (var (name, value, standardError) in values)
            {
                fit.GetProperty(name).GetDouble().Should().BeApproximately(value, value * 2e-3, $"{section}.{name}");
                var written = fit.GetProperty("standardErrors").GetProperty(name).GetDouble();
                if (double.IsNaN(standardError)) written.Should().BePositive();
                else written.Should().BeApproximately(standardError, standardError * 0.05, $"{section}.standardErrors.{name}");
            }
            fit.GetProperty("limitingModel").ValueKind.Should().Be(JsonValueKind.Null);
        }
        json.GetProperty("mbgNbd").GetProperty("logLikelihood").GetDouble().Should().BeApproximately(-9582.13, 0.01);
        json.GetProperty("paretoNbd").GetProperty("logLikelihood").GetDouble().Should().BeApproximately(-9594.97, 0.01);
        json.GetProperty("purchaseModel").GetString().Should().Be("MBG/NBD");
        json.GetProperty("purchaseModelChosenBy").GetString().Should().Be(PurchaseModelFits.ChoiceRule);

        var oneTimeBuyers = rows.Skip(1).Where(r => r[1] == "0").Select(r => double.Parse(r[4], CultureInfo.InvariantCulture)).ToList();
        oneTimeBuyers.Should().HaveCount(1411).And.OnlyContain(p => p > 0 && p < 0.5, "MBG/NBD gives one-time buyers a real chance of being gone");
        double.Parse(rows.Single(r => r[0] == "0001")[5], CultureInfo.InvariantCulture).Should().BeApproximately(1.26267, 0.005, "MBG/NBD's conditional expectation for customer 1");
    }

    [Fact]
    public async Task Pareto_nbd_alone_writes_its_own_section_and_its_p_alive()
    {
        var (json, rows) = await RunOnCdnowAsync("--model", "pnbd");

        json.TryGetProperty("bgNbd", out _).Should().BeFalse("only the model asked for is fitted");
        var pareto = json.GetProperty("paretoNbd");
        var model = new ParetoNbd(pareto.GetProperty("r").GetDouble(), pareto.GetProperty("alpha").GetDouble(), pareto.GetProperty("s").GetDouble(), pareto.GetProperty("beta").GetDouble());
        json.GetProperty("purchaseModel").GetString().Should().Be("Pareto/NBD");
        foreach (var id in new[] { "0001", "0003", "1516" })
        {
            var row = rows.Single(r => r[0] == id);
            var buyer = new RepeatBuyer(int.Parse(row[1], CultureInfo.InvariantCulture), double.Parse(row[2], CultureInfo.InvariantCulture), double.Parse(row[3], CultureInfo.InvariantCulture));
            double.Parse(row[4], CultureInfo.InvariantCulture).Should().BeApproximately(model.ProbabilityAlive(buyer), 1e-6, $"customer {id}");
        }
        (await RunAsync(Transactions(), "--model", "pareto")).Error.Should().Contain("--model is bgnbd, mbgnbd, pnbd or auto.");
    }

    [Fact]
    public async Task A_line_that_is_not_a_transaction_is_named_and_nothing_is_written()
    {
        var path = Path.Combine(_folder.FullName, "bad.csv");
        await File.WriteAllLinesAsync(path, ["customer_id,date,amount", "1,2024-01-05,10.00", "2,05/01/2024,12.50"]);
        var customers = Path.Combine(_folder.FullName, "out.csv");

        var (exit, error) = await RunAsync(path, "--out", customers);

        exit.Should().Be(1);
        error.Should().Contain("Line 3 is not customer_id,date,amount with a date like yyyy-MM-dd");
        File.Exists(customers).Should().BeFalse();
        (await RunAsync(path, "--unit", "month")).Error.Should().Contain("--unit is week or day.");
    }

    [Fact]
    public async Task The_holdout_end_prints_the_cdnow_track_record_of_the_paper()
    {
        var (exit, output, error) = await RunWithOutputAsync(Transactions(), "--date-format", "yyyyMMdd", "--calibration-end", "19970930", "--holdout-end", "19980630");

        exit.Should().Be(0, error);
        var lines = output.Split('\n');
        lines.Should().Contain("Fitted on the orders up to 1997-09-30 (2,357 customers), checked against the 39 weeks to 1998-06-30.");
        lines.Should().Contain(l => l.StartsWith("Repeat purchase days in the 39 weeks: predicted 1,653.", StringComparison.Ordinal) && l.EndsWith("actual 1,882 (-12.1 %).", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("  0 ", StringComparison.Ordinal) && l.Contains(" 1,411 ") && l.EndsWith(" 334           0.225        0.237"));
        lines.Should().Contain("Buying again within 39 weeks (684 of 2,357 customers did, 29.0 %):");
        lines.Should().Contain(l => l.StartsWith("  AUC ", StringComparison.Ordinal) && l.Contains(" 0.757 ") && l.EndsWith(" 0.771"));
        lines.Count(l => l.StartsWith("Calibration by decile of predicted chance", StringComparison.Ordinal)).Should().Be(2);
        lines.Should().Contain("Of customers we gave under 20 % chance of ordering within 39 weeks, 16 % did; of those we gave 60 % or more, 81 % did.");
        error.Should().BeEmpty("the track record replaces the parameters' JSON");
    }

    [Fact]
    public async Task Without_a_calibration_end_the_holdout_is_the_13_weeks_before_its_end_and_a_young_file_says_so()
    {
        var path = Path.Combine(_folder.FullName, "young.csv");
        await File.WriteAllLinesAsync(path, ["customer_id,date,amount", "1,2026-05-04,10.00", "1,2026-06-01,12.00", "2,2026-05-20,8.00", "2,2026-08-01,9.00"]);

        var (exit, output, _) = await RunWithOutputAsync(path, "--holdout-end", "2026-09-29");

        exit.Should().Be(0);
        output.Should().StartWith("No track record for young.csv (calibration to 2026-06-30, holdout to 2026-09-29).\n" +
                                  "Your shop is too young for a track record: we check our forecasts against the last 13 weeks");
        (await RunAsync(path, "--calibration-end", "2026-10-01", "--holdout-end", "2026-09-29")).Error
            .Should().Contain("--holdout-end 2026-09-29 must come after --calibration-end 2026-10-01.");
        (await RunAsync(path, "--holdout-end", "29/09/2026")).Error.Should().Contain("--holdout-end 29/09/2026 is not a date in the format yyyy-MM-dd.");
    }
}
