namespace WinBack.Analytics;

/// <summary>
/// A shop's history cut in two for a track record: the calibration period up to and including <see cref="CalibrationEnd"/>,
/// on which a model is fitted as if it were today, and the holdout (<see cref="CalibrationEnd"/>, <see cref="HoldoutEnd"/>],
/// whose purchases the model did not see. Times are in weeks of 7 days, counted from a customer's first purchase day to the
/// calibration end (CDNOW's convention: a first purchase on 1997-01-01 is 38.86 weeks old on 1997-09-30, and the holdout
/// 1997-10-01 … 1998-06-30 is 39 weeks). Purchases on one day count once, as the models count them; only customers whose
/// first purchase falls in the calibration period take part, so the holdout asks how the customers the model knew behaved.
/// </summary>
public sealed class HoldoutSplit
{
    public const double DaysPerWeek = 7;

    /// <summary>The app's holdout: a quarter, the horizon of its "will buy again" question.</summary>
    public const int DefaultHoldoutWeeks = 13;

    public DateOnly CalibrationEnd { get; }
    public DateOnly HoldoutEnd { get; }

    /// <summary>The shop's first purchase day (null without a purchase in the calibration period).</summary>
    public DateOnly? FirstPurchase { get; }

    public IReadOnlyList<HoldoutCustomer> Customers { get; }

    /// <summary>Each customer's (x, t_x, T) at the calibration end, in the order of <see cref="Customers"/>: what every model checked on the split is fitted on.</summary>
    public RepeatBuyers Calibration { get; }

    public double HoldoutWeeks => (HoldoutEnd.DayNumber - CalibrationEnd.DayNumber) / DaysPerWeek;

    /// <summary>How long the shop had been selling at the calibration end, in weeks (0 without a purchase).</summary>
    public double CalibrationWeeks => FirstPurchase is { } first ? (CalibrationEnd.DayNumber - first.DayNumber) / DaysPerWeek : 0;

    /// <summary>How the plain weeks-since-last-order rule forecast the holdout: the yardstick of every model checked on the split.</summary>
    internal ReturnForecast WeeksSinceLastOrderForecast => _weeksSinceLastOrderForecast.Value;

    private readonly Lazy<ReturnForecast> _weeksSinceLastOrderForecast;

    private HoldoutSplit(DateOnly calibrationEnd, DateOnly holdoutEnd, IReadOnlyList<HoldoutCustomer> customers)
    {
        (CalibrationEnd, HoldoutEnd, Customers) = (calibrationEnd, holdoutEnd, customers);
        Calibration = new RepeatBuyers(customers.Select(c => c.Calibration));
        FirstPurchase = customers.Count == 0 ? null : customers.Min(c => c.CalibrationDays[0]);
        _weeksSinceLastOrderForecast = new(() => HoldoutEvaluation.WeeksSinceLastOrderForecast(this));
    }

    /// <summary>
    /// The split of each customer's purchase days (any order, repeats allowed; days after <paramref name="holdoutEnd"/> are
    /// ignored) at <paramref name="calibrationEnd"/>.
    /// </summary>
    public static HoldoutSplit Create(IEnumerable<IEnumerable<DateOnly>> purchaseDays, DateOnly calibrationEnd, DateOnly holdoutEnd)
    {
        if (holdoutEnd <= calibrationEnd)
            throw new ArgumentException($"The holdout must end after the calibration end {calibrationEnd:yyyy-MM-dd}.", nameof(holdoutEnd));
        var customers = new List<HoldoutCustomer>();
        foreach (var days in purchaseDays)
        {
            // A large shop's days come sorted and distinct already: they are then used as they are, not copied twice.
            var distinct = days is DateOnly[] given && StrictlyIncreasing(given) ? given : days.Distinct().Order().ToArray();
            var found = Array.BinarySearch(distinct, calibrationEnd);
            var known = found >= 0 ? found + 1 : ~found;
            if (known == 0) continue;
            var calibration = known == distinct.Length ? distinct : distinct[..known];
            var holdout = 0;
            for (var k = known; k < distinct.Length && distinct[k] <= holdoutEnd; k++) holdout++;
            var (first, last) = (calibration[0], calibration[^1]);
            var buyer = new RepeatBuyer(calibration.Length - 1, (last.DayNumber - first.DayNumber) / DaysPerWeek, (calibrationEnd.DayNumber - first.DayNumber) / DaysPerWeek);
            customers.Add(new HoldoutCustomer(buyer, holdout) { CalibrationDays = calibration });
        }
        return new HoldoutSplit(calibrationEnd, holdoutEnd, customers);
    }

    /// <summary>
    /// Works out now, not at the first check, what every check of the split reads: the calibration customers' grouping and
    /// the plain rule's forecast. For a caller with cores to spare while other work runs (the refit, while its models fit).
    /// </summary>
    public HoldoutSplit Prepared()
    {
        _ = RepeatBuyers.GroupedOf(Calibration).PairIndex;
        _ = WeeksSinceLastOrderForecast;
        return this;
    }

    private static bool StrictlyIncreasing(DateOnly[] days)
    {
        for (var k = 1; k < days.Length; k++)
            if (days[k] <= days[k - 1]) return false;
        return true;
    }

    /// <summary>The split whose holdout is the <paramref name="holdoutWeeks"/> weeks up to and including <paramref name="holdoutEnd"/>.</summary>
    public static HoldoutSplit EndingOn(IEnumerable<IEnumerable<DateOnly>> purchaseDays, DateOnly holdoutEnd, int holdoutWeeks = DefaultHoldoutWeeks) =>
        Create(purchaseDays, holdoutEnd.AddDays(-(int)DaysPerWeek * holdoutWeeks), holdoutEnd);
}

/// <summary>
/// One customer of a <see cref="HoldoutSplit"/>: what the model saw (x, t_x, T at the calibration end, in weeks) and how many
/// purchase days followed in the holdout.
/// </summary>
public sealed record HoldoutCustomer(RepeatBuyer Calibration, int HoldoutPurchases)
{
    /// <summary>The distinct purchase days up to the calibration end, in order: what an earlier cut of the calibration data reads.</summary>
    internal DateOnly[] CalibrationDays { get; init; } = [];

    public bool Returned => HoldoutPurchases > 0;

    public double WeeksSinceLastOrder => Calibration.Age - Calibration.Recency;
}
