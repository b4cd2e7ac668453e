using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WinBack.Analytics;

namespace WinBack.Analyze;

/// <summary>
/// The analysts' verb: a transactions file in, one row per customer and the fitted parameters out, computed by the same
/// library the app uses (so a merchant's analyst can check WinBack's numbers on their own export).
/// </summary>
public static class AnalyzeCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A customer's transactions folded by day: what the models read.</summary>
    private sealed class History(string id)
    {
        public string Id { get; } = id;
        public SortedDictionary<DateOnly, decimal> Days { get; } = [];
        public int Transactions { get; set; }
        public decimal Total { get; set; }
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var (options, error) = AnalyzeOptions.Parse(args);
        if (options is null)
        {
            await stderr.WriteLineAsync(error);
            await stderr.WriteLineAsync();
            await stderr.WriteLineAsync(AnalyzeOptions.Usage);
            return 2;
        }
        if (!File.Exists(options.Input))
        {
            await stderr.WriteLineAsync($"There is no file {options.Input}.");
            return 2;
        }
        List<History> customers;
        DateOnly end;
        try
        {
            var rows = await ReadAsync(options);
            if (options.HoldoutEnd is { } holdoutEnd)
            {
                await WriteTrackRecordAsync(options, rows, options.CalibrationEnd!.Value, holdoutEnd, stdout);
                return 0;
            }
            (customers, end) = Fold(rows, options);
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync(e.Message);
            return 1;
        }

        var unitDays = options.Unit == TimeUnit.Week ? 7.0 : 1.0;
        var buyers = customers.Select(c => ToBuyer(c, end, unitDays)).ToList();
        var fits = FitPurchaseModels(options.Model, buyers);
        var purchases = fits.Choose()?.Model;
        string? spendNote = null;
        SpendModelFit? spend = null;
        try
        {
            spend = GammaGamma.Fit(buyers.Where(b => b.Frequency > 0).ToList());
        }
        catch (NotEnoughDataException e)
        {
            spendNote = e.Message;
        }
        var rfm = Rfm.Score(customers.Select((c, i) => new RfmInput(i, end.DayNumber - c.Days.Keys.Max().DayNumber, c.Transactions, c.Total)).ToList());

        var output = options.Output is null ? stdout : new StreamWriter(options.Output);
        try
        {
            var horizon = options.Periods.ToString("0.###", Invariant);
            await output.WriteLineAsync($"customer_id,x,t_x,T,p_alive,expected_purchases_{horizon},predicted_value_12_months,rfm_score,rfm_segment");
            for (var i = 0; i < customers.Count; i++)
            {
                var b = buyers[i];
                var value = purchases is not null && spend is not null
                    ? purchases.DiscountedValue(b, spend.Estimate.ExpectedAverageValue(b), unitsPerMonth: options.Unit == TimeUnit.Week ? 4.345 : 30)
                    : (double?)null;
                var r = rfm[i];
                await output.WriteLineAsync(string.Join(',',
                    Csv(customers[i].Id), b.Frequency.ToString(Invariant), Number(b.Recency), Number(b.Age),
                    Number(purchases?.ProbabilityAlive(b)), Number(purchases?.ExpectedPurchases(b, options.Periods)), Number(value),
                    $"{r.Recency}{r.Frequency}{r.Monetary}", r.Segment.ToString()));
            }
        }
        finally
        {
            if (output != stdout) await output.DisposeAsync();
        }

        var json = new JsonObject
        {
            ["unit"] = options.Unit.ToString().ToLowerInvariant(),
            ["calibrationEnd"] = end.ToString("yyyy-MM-dd", Invariant),
            ["customers"] = customers.Count,
            ["repeatCustomers"] = buyers.Count(b => b.Frequency > 0),
            ["purchaseModel"] = purchases?.Name,
            ["purchaseModelChosenBy"] = options.Model == PurchaseModelOption.Auto ? PurchaseModelFits.ChoiceRule : "--model",
        };
        foreach (var (key, fit, note) in new (string, IPurchaseModelFit?, string?)[]
                 {
                     ("bgNbd", fits.BgNbd, fits.BgNbdNote), ("mbgNbd", fits.MbgNbd, fits.MbgNbdNote), ("paretoNbd", fits.ParetoNbd, fits.ParetoNbdNote),
                 })
        {
            if (fit is null && note is null) continue;
            json[key] = fit is null ? null : Section(fit);
            json[key + "Note"] = fit?.Limit?.Note ?? note;
        }
        // At a limit the parameters it leaves unestimated are null, and the note names the limit.
        json["gammaGamma"] = spend is null ? null : new JsonObject
        {
            ["p"] = spend.P, ["q"] = spend.Q, ["gamma"] = spend.Gamma, ["averageOrderValue"] = spend.Estimate.ShopAverage, ["logLikelihood"] = spend.LogLikelihood,
        };
        json["gammaGammaNote"] = spend?.Limit?.Note ?? spendNote;
        var parameters = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (options.Parameters is null) await stderr.WriteLineAsync(parameters);
        else await File.WriteAllTextAsync(options.Parameters, parameters);
        return 0;
    }

    /// <summary>
    /// The purchase models <paramref name="option"/> asks for: one, or all three for <c>auto</c>, which then uses
    /// <see cref="PurchaseModelFits.Choose"/> (the one place a better rule, such as a holdout check, replaces the likelihood).
    /// </summary>
    private static PurchaseModelFits FitPurchaseModels(PurchaseModelOption option, IReadOnlyList<RepeatBuyer> buyers)
    {
        if (option == PurchaseModelOption.Auto) return PurchaseModels.FitAll(buyers);
        var none = new PurchaseModelFits(null, null, null, null, null, null);
        switch (option)
        {
            case PurchaseModelOption.MbgNbd:
                var (mbg, mbgNote) = PurchaseModels.TryFit(() => ModifiedBetaGeometricNbd.Fit(buyers));
                return none with { MbgNbd = mbg, MbgNbdNote = mbgNote };
            case PurchaseModelOption.ParetoNbd:
                var (pareto, paretoNote) = PurchaseModels.TryFit(() => ParetoNbd.Fit(buyers));
                return none with { ParetoNbd = pareto, ParetoNbdNote = paretoNote };
            default:
                var (bg, bgNote) = PurchaseModels.TryFit(() => BetaGeometricNbd.Fit(buyers));
                return none with { BgNbd = bg, BgNbdNote = bgNote };
        }
    }

    /// <summary>A fitted model's JSON: its parameters by the reference's names (null where a limiting model leaves them unestimated), log-likelihood, standard errors and limit.</summary>
    private static JsonObject Section(IPurchaseModelFit fit)
    {
        var section = new JsonObject();
        foreach (var (name, value) in fit.ShownParameters) section[name] = value;
        section["logLikelihood"] = fit.LogLikelihood;
        var errors = new JsonObject();
        for (var i = 0; i < fit.StandardErrors.Names.Count; i++)
            errors[fit.StandardErrors.Names[i]] = double.IsFinite(fit.StandardErrors.Values[i]) ? fit.StandardErrors.Values[i] : null;
        section["standardErrors"] = errors;
        section["limitingModel"] = fit.Limit?.Name;
        return section;
    }

    /// <summary>
    /// The track record (see <see cref="HoldoutEvaluation"/>): BG/NBD fitted on each customer's purchase days up to the
    /// calibration end, checked against the days up to the holdout end, as plain text.
    /// </summary>
    private static async Task WriteTrackRecordAsync(AnalyzeOptions options, List<Transaction> rows, DateOnly calibrationEnd, DateOnly holdoutEnd, TextWriter stdout)
    {
        var days = rows.GroupBy(r => r.Customer, r => r.Date);
        var result = HoldoutEvaluation.Evaluate(HoldoutSplit.Create(days, calibrationEnd, holdoutEnd), c => BetaGeometricNbd.Fit(c).Model);
        var output = options.Output is null ? stdout : new StreamWriter(options.Output);
        try
        {
            await output.WriteAsync(TrackRecordText.Write(result, Path.GetFileName(options.Input)));
        }
        finally
        {
            if (output != stdout) await output.DisposeAsync();
        }
    }

    private readonly record struct Transaction(string Customer, DateOnly Date, decimal Amount);

    /// <summary>Every transaction in the file; a header line is skipped.</summary>
    private static async Task<List<Transaction>> ReadAsync(AnalyzeOptions options)
    {
        var rows = new List<Transaction>();
        var lineNumber = 0;
        await foreach (var line in File.ReadLinesAsync(options.Input))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(',');
            var parsed = fields.Length == 3
                         && DateOnly.TryParseExact(fields[1].Trim(), options.DateFormat, Invariant, DateTimeStyles.None, out var date)
                         && decimal.TryParse(fields[2].Trim(), NumberStyles.Number, Invariant, out var amount)
                ? new Transaction(fields[0].Trim(), date, amount)
                : (Transaction?)null;
            if (parsed is { } row) rows.Add(row);
            else if (lineNumber > 1 || fields.Length != 3)
                throw new FormatException($"Line {lineNumber} is not customer_id,date,amount with a date like {options.DateFormat}: \"{Shorten(line)}\".");
        }
        if (rows.Count == 0) throw new FormatException($"{options.Input} has no transactions.");
        return rows;
    }

    /// <summary>Transactions up to the calibration end, folded per customer and day.</summary>
    private static (List<History> Customers, DateOnly End) Fold(List<Transaction> rows, AnalyzeOptions options)
    {
        var end = options.CalibrationEnd ?? rows.Max(r => r.Date);
        var byCustomer = new Dictionary<string, History>();
        var order = new List<History>();
        foreach (var (customer, date, amount) in rows.Where(r => r.Date <= end))
        {
            if (!byCustomer.TryGetValue(customer, out var history))
            {
                byCustomer[customer] = history = new History(customer);
                order.Add(history);
            }
            history.Days[date] = history.Days.GetValueOrDefault(date) + amount;
            history.Transactions++;
            history.Total += amount;
        }
        if (order.Count == 0) throw new FormatException($"No transaction falls on or before the calibration end {end.ToString(options.DateFormat, Invariant)}.");
        return (order, end);
    }

    /// <summary>x = repeat days, t_x and T from the first day, mean value of the repeat days (the CDNOW summary's definitions).</summary>
    private static RepeatBuyer ToBuyer(History c, DateOnly end, double unitDays)
    {
        var first = c.Days.Keys.First();
        var last = c.Days.Keys.Last();
        var repeat = c.Days.Count - 1;
        var repeatAverage = repeat > 0 ? (double)c.Days.Values.Skip(1).Sum() / repeat : 0;
        return new RepeatBuyer(repeat, (last.DayNumber - first.DayNumber) / unitDays, (end.DayNumber - first.DayNumber) / unitDays, Math.Max(0, repeatAverage));
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.######", Invariant) : "";

    private static string Csv(string text) => text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
