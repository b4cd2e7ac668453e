using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using WinBack.Web.Data;
using WinBack.Web.Settings;

namespace WinBack.Web.Reports;

/// <summary>
/// Everything a report of one shop depends on besides the filter: the shop's currency and calendar, its threshold, the
/// high-value line in money, the version of its customer data, and whether its models have been fitted (then every
/// customer with an order has a prediction row). Anything computed from the data (counts, the
/// percentile line) is cached under that version, which a trigger on <c>customers</c> bumps on every change, so a
/// cached figure is never older than the rows shown next to it.
/// </summary>
public sealed record ReportScope(
    long ShopId,
    string ShopDomain,
    string? ShopName,
    string CurrencyCode,
    ShopCalendar Calendar,
    int ThresholdWeeks,
    HighValueRule HighValueRule,
    int HighValuePercentile,
    decimal HighValueLine,
    long DataVersion,
    bool HasPredictions)
{
    /// <summary>A cache key for a figure computed from this shop's data as of today.</summary>
    public string CacheKey(string figure) => $"report:{ShopId}:{DataVersion}:{Calendar.Today:yyyy-MM-dd}:{ThresholdWeeks}:{HighValueLine}:{figure}";
}

public sealed class ReportScopes(WinBackDbContext db, IMemoryCache cache, TimeProvider time)
{
    private static readonly MemoryCacheEntryOptions CacheFor = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10), Size = 1 };

    /// <summary>The shop, its settings (defaults when never saved), its data version and whether it has a fit: one row.</summary>
    private const string ShopSql = """
        SELECT s.domain, s.name, s.currency_code, s.iana_timezone, st.inactivity_threshold_weeks, st.high_value_rule,
               st.high_value_percentile, st.high_value_amount, coalesce(v.version, 0),
               EXISTS (SELECT 1 FROM customer_model_fits f WHERE f.shop_id = s.id)
        FROM shops s
        LEFT JOIN shop_settings st ON st.shop_id = s.id
        LEFT JOIN report_data_versions v ON v.shop_id = s.id
        WHERE s.id = $1
        """;

    private sealed record ShopRow(string Domain, string? Name, string CurrencyCode, string? IanaTimezone, ShopSettings Settings, long Version, bool HasPredictions);

    /// <summary>The shop's scope as of now; <paramref name="overrideSettings"/> previews settings not yet saved.</summary>
    public async Task<ReportScope> LoadAsync(long shopId, CancellationToken cancellationToken, ShopSettings? overrideSettings = null)
    {
        var row = await ReadShopAsync(shopId, cancellationToken);
        var settings = overrideSettings ?? row.Settings;
        var line = settings.HighValueRule == HighValueRule.Amount && settings.HighValueAmount is { } amount
            ? amount
            : await PercentileAsync(shopId, row.Version, settings.HighValuePercentile, cancellationToken);
        return new ReportScope(shopId, row.Domain, row.Name, row.CurrencyCode, ShopCalendar.For(row.IanaTimezone, time.GetUtcNow()),
            settings.InactivityThresholdWeeks, settings.HighValueRule, settings.HighValuePercentile, line, row.Version, row.HasPredictions);
    }

    /// <summary>
    /// One round trip, read with Npgsql directly: every report request starts here, and EF's raw-SQL query (composing,
    /// caching and shaping the statement on each call) took more of the app's CPU under load than the page's own query.
    /// </summary>
    private async Task<ShopRow> ReadShopAsync(long shopId, CancellationToken cancellationToken)
    {
        // The report's next query follows at once: keep one pooled connection for the request instead of two.
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(ShopSql, (NpgsqlConnection)db.Database.GetDbConnection())
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = shopId } },
        };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) throw new InvalidOperationException($"Shop {shopId} was not found.");
        var settings = new ShopSettings
        {
            ShopId = shopId,
            InactivityThresholdWeeks = reader.IsDBNull(4) ? ShopSettings.DefaultInactivityThresholdWeeks : reader.GetInt32(4),
            HighValueRule = !reader.IsDBNull(5) && Enum.TryParse<HighValueRule>(reader.GetString(5), out var rule) ? rule : HighValueRule.Percentile,
            HighValuePercentile = reader.IsDBNull(6) ? ShopSettings.DefaultHighValuePercentile : reader.GetInt32(6),
            HighValueAmount = reader.IsDBNull(7) ? null : reader.GetDecimal(7),
        };
        return new ShopRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? "USD" : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), settings, reader.GetInt64(8), reader.GetBoolean(9));
    }

    /// <summary>Cached per data version: a shop's figure only changes when its customers do.</summary>
    /// <param name="size">The value's share of the cache's limit (one unit each by default, about a kilobyte).</param>
    public async Task<T> CachedAsync<T>(string key, Func<CancellationToken, Task<T>> compute, CancellationToken cancellationToken, Func<T, long>? size = null)
    {
        if (cache.TryGetValue(key, out T? value)) return value!;
        value = await compute(cancellationToken);
        cache.Set(key, value, size is null ? CacheFor : new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = CacheFor.AbsoluteExpirationRelativeToNow, Size = size(value) });
        return value;
    }

    /// <summary>Total spent at the given percentile among customers with orders (0 when nobody has ordered yet).</summary>
    private Task<decimal> PercentileAsync(long shopId, long version, int percentile, CancellationToken cancellationToken) =>
        CachedAsync($"report:{shopId}:{version}:percentile:{percentile}", ct =>
            db.Database.SqlQuery<decimal>($"""
                SELECT coalesce(percentile_disc({percentile / 100.0}) WITHIN GROUP (ORDER BY total_spent), 0) AS "Value"
                FROM customers WHERE shop_id = {shopId} AND orders_count > 0
                """).SingleAsync(ct), cancellationToken);
}
