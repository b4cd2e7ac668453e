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

    [Fact]
    public async Task The_cdnow_sample_gives_the_published_parameters_and_each_customers_numbers()
    {
        var customers = Path.Combine(_folder.FullName, "customers.csv");
        var parameters = Path.Combine(_folder.FullName, "params.json");

        var (exit, error) = await RunAsync(Transactions(), "--date-format", "yyyyMMdd", "--calibration-end", "19970930", "--periods", "39",
            "--out", customers, "--params", parameters);

        exit.Should().Be(0, error);
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(parameters)).RootElement;
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

        var rows = (await File.ReadAllLinesAsync(customers)).Select(l => l.Split(',')).ToList();
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
