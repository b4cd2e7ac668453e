using System.Globalization;
using WinBack.Web.Reports;

namespace WinBack.Web.Digests;

/// <summary>
/// When a shop's weekly digest is due, in its own timezone. A week is the shop's local ISO week, and it has exactly
/// one due instant: the configured day and hour there. On a daylight-saving change that hour may not exist (spring
/// forward: the digest goes at the first minute that does) or exist twice (fall back: the first one); either way the
/// week keeps one due instant, and its delivery record keeps it to one email.
/// </summary>
public static class DigestSchedule
{
    public sealed record Due(string Period, DateTimeOffset At);

    /// <summary>This local week's digest: its period key and due instant (which may still be ahead).</summary>
    public static Due ThisWeek(TimeZoneInfo zone, DayOfWeek day, int hour, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var dueDate = monday.AddDays(((int)day + 6) % 7);
        return new Due(PeriodOf(dueDate), ShopCalendar.InstantOf(zone, dueDate.ToDateTime(new TimeOnly(hour, 0))));
    }

    /// <summary>The current period of a scheduled report: today (daily), this local ISO week (weekly), this month (monthly, on the 1st).</summary>
    public static Due ThisPeriod(ReportFrequency frequency, TimeZoneInfo zone, DayOfWeek day, int hour, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return frequency switch
        {
            ReportFrequency.Daily => new Due(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ShopCalendar.InstantOf(zone, today.ToDateTime(new TimeOnly(hour, 0)))),
            ReportFrequency.Weekly => ThisWeek(zone, day, hour, now),
            _ => new Due(today.ToString("yyyy-MM", CultureInfo.InvariantCulture),
                ShopCalendar.InstantOf(zone, new DateOnly(today.Year, today.Month, 1).ToDateTime(new TimeOnly(hour, 0)))),
        };
    }

    /// <summary>The due instant of a period key that <see cref="ThisPeriod"/> gave, at the given day (weekly) and hour.</summary>
    public static DateTimeOffset DueAtOf(string period, ReportFrequency frequency, TimeZoneInfo zone, DayOfWeek day, int hour)
    {
        var date = frequency switch
        {
            ReportFrequency.Daily => DateOnly.ParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            ReportFrequency.Weekly => DateOnly.FromDateTime(ISOWeek.ToDateTime(
                int.Parse(period[..4], CultureInfo.InvariantCulture), int.Parse(period[6..], CultureInfo.InvariantCulture), day)),
            _ => DateOnly.ParseExact(period, "yyyy-MM", CultureInfo.InvariantCulture),
        };
        return ShopCalendar.InstantOf(zone, date.ToDateTime(new TimeOnly(hour, 0)));
    }

    public static string PeriodOf(DateOnly localDate)
    {
        var date = localDate.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date)}-W{ISOWeek.GetWeekOfYear(date):D2}");
    }

    public static TimeZoneInfo ZoneOf(string? ianaTimezone) => ShopCalendar.For(ianaTimezone, DateTimeOffset.UnixEpoch).Zone;
}
