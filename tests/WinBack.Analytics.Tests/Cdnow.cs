using System.Globalization;

namespace WinBack.Analytics.Tests;

/// <summary>The CDNOW 1/10 sample's summary (2,357 customers, weeks, calibration to 1997-09-30), copied under Data/.</summary>
public static class Cdnow
{
    private static readonly Lazy<List<(int Id, RepeatBuyer Customer)>> Rows = new(() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "cdnow_customers_summary_with_transactions.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), new RepeatBuyer(int.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture))))
            .ToList());

    public static List<(int Id, RepeatBuyer Customer)> WithIds => Rows.Value;

    public static List<RepeatBuyer> Customers => [.. Rows.Value.Select(c => c.Customer)];

    public static RepeatBuyer Customer(int id) => Rows.Value.Single(c => c.Id == id).Customer;
}
