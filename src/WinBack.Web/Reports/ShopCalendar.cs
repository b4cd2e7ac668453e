using Microsoft.EntityFrameworkCore;

namespace WinBack.Web.Reports;

/// <summary>
/// Dates as the merchant sees them: in the shop's IANA timezone, never UTC (PRODUCT.md). Weeks since last order are whole
/// weeks between the last order's local date and today's local date (floor of days / 7), so a week range becomes a
/// range of instants on the indexed <c>last_order_at</c> column.
/// </summary>
public sealed class ShopCalendar
{
    private ShopCalendar(TimeZoneInfo zone, DateOnly today)
    {
        Zone = zone;
        Today = today;
    }

    public TimeZoneInfo Zone { get; }
    public DateOnly Today { get; }

    /// <summary>The shop's calendar now; a missing or unknown zone falls back to UTC rather than failing the report.</summary>
    public static ShopCalendar For(string? ianaTimezone, DateTimeOffset now)
    {
        var zone = ianaTimezone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(ianaTimezone, out var found) ? found : TimeZoneInfo.Utc;
        return new ShopCalendar(zone, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime));
    }

    /// <summary>The calendar of the shop as its row says now: for work that needs the shop's days and nothing else of the report's scope.</summary>
    public static async Task<ShopCalendar> OfShopAsync(Data.WinBackDbContext db, long shopId, DateTimeOffset now, CancellationToken cancellationToken) =>
        For(await db.Shops.Where(s => s.Id == shopId).Select(s => s.IanaTimezone).SingleAsync(cancellationToken), now);

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public DateTimeOffset LocalTime(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>
    /// <see cref="LocalDate"/> for millions of instants (a refit's orders): the instants each day from <paramref name="from"/>
    /// through <paramref name="through"/> starts at, computed once and searched.
    /// </summary>
    public LocalDays LocalDaysBetween(DateOnly from, DateOnly through) => new(this, from, through);

    /// <summary>
    /// <see cref="LocalDate"/> for a whole shop's rows (a refit's orders, an export's customers): the last ten years' day
    /// starts through tomorrow, searched; older instants are converted one by one.
    /// </summary>
    public LocalDays RecentLocalDays() => LocalDaysBetween(Today.AddYears(-10), Today.AddDays(1));

    public int WeeksSince(DateTimeOffset instant) => WeeksSince(LocalDate(instant));

    public int WeeksSince(DateOnly localDate) => (Today.DayNumber - localDate.DayNumber) / 7;

    /// <summary>Orders before this instant are at least <paramref name="weeks"/> whole weeks old today.</summary>
    public DateTimeOffset AtLeastWeeksAgo(int weeks) => StartOfDay(AtLeastWeeksAgoDate(weeks));

    /// <summary>Orders on local dates before this one are at least <paramref name="weeks"/> whole weeks old today.</summary>
    public DateOnly AtLeastWeeksAgoDate(int weeks) => Today.AddDays(-7 * weeks + 1);

    /// <summary>Orders at or after this instant are at most <paramref name="weeks"/> whole weeks old today.</summary>
    public DateTimeOffset AtMostWeeksAgo(int weeks) => StartOfDay(AtMostWeeksAgoDate(weeks));

    /// <summary>Orders on local dates from this one on are at most <paramref name="weeks"/> whole weeks old today.</summary>
    public DateOnly AtMostWeeksAgoDate(int weeks) => Today.AddDays(-7 * weeks - 6);

    /// <summary>The first instant of a local date (where midnight does not exist, a DST jump at 00:00, the day starts at the jump).</summary>
    public DateTimeOffset StartOfDay(DateOnly date) => InstantOf(Zone, date.ToDateTime(TimeOnly.MinValue));

    /// <summary>
    /// The instant a local wall-clock time means. A time skipped by a daylight-saving jump becomes the first minute after
    /// it; a time that happens twice (the clocks going back) is its first occurrence.
    /// </summary>
    public static DateTimeOffset InstantOf(TimeZoneInfo zone, DateTime local)
    {
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

/// <summary>
/// The local dates of instants, found among the starts of a span of days (<see cref="ShopCalendar.StartOfDay"/>, so daylight
/// saving's jumps fall where the calendar puts them) instead of converted one by one; an instant outside the span is converted.
/// </summary>
public sealed class LocalDays
{
    private readonly ShopCalendar _calendar;
    private readonly DateOnly _first;
    /// <summary>The UTC ticks at which each day of the span starts, the first day's first, then the end of the last day.</summary>
    private readonly long[] _starts;

    internal LocalDays(ShopCalendar calendar, DateOnly from, DateOnly through)
    {
        if (through < from) throw new ArgumentOutOfRangeException(nameof(through), through, $"The span ends before it starts ({from:yyyy-MM-dd}).");
        (_calendar, _first) = (calendar, from);
        _starts = new long[through.DayNumber - from.DayNumber + 2];
        for (var k = 0; k < _starts.Length; k++) _starts[k] = calendar.StartOfDay(from.AddDays(k)).UtcTicks;
    }

    /// <summary>The span's first day.</summary>
    public DateOnly First => _first;

    /// <summary>
    /// The instants each day of the span starts at, then the end of its last day: for a SQL statement over millions of
    /// rows, which searches them as <see cref="DateOf"/> does inside the span (<see cref="OrderDays"/>).
    /// </summary>
    public DateTimeOffset[] Starts() => [.. _starts.Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero))];

    public DateOnly DateOf(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        if (ticks < _starts[0] || ticks >= _starts[^1]) return _calendar.LocalDate(instant);
        var found = Array.BinarySearch(_starts, ticks);
        return _first.AddDays(found >= 0 ? found : ~found - 1);
    }
}
