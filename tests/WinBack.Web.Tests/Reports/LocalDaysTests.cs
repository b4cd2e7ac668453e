using WinBack.Web.Reports;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// The refit finds each order's local day among precomputed day starts instead of converting each order: it must give
/// the day the calendar gives, through daylight saving's jumps (at 2 a.m. or at midnight) and odd offsets.
/// </summary>
public sealed class LocalDaysTests
{
    [Theory]
    [InlineData("America/New_York")]
    [InlineData("America/Santiago")] // clocks jump at midnight: a day that starts at 01:00, and one whose first hour repeats
    [InlineData("Asia/Kolkata")]
    [InlineData("Pacific/Chatham")]
    [InlineData("UTC")]
    public void Every_instant_gets_the_local_date_the_shops_calendar_gives(string zone)
    {
        var calendar = ShopCalendar.For(zone, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var days = calendar.LocalDaysBetween(new DateOnly(2024, 6, 1), new DateOnly(2026, 6, 1));

        // Every 7 minutes over three years, the span's two years and half a year either side (converted one by one there).
        var mismatches = new List<string>();
        for (var at = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero); at < new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero); at = at.AddMinutes(7))
            if (days.DateOf(at) != calendar.LocalDate(at)) mismatches.Add($"{at:O}: {days.DateOf(at)} against {calendar.LocalDate(at)}");

        mismatches.Should().BeEmpty();
    }

    [Fact]
    public void The_first_instant_of_a_day_is_that_day_and_the_one_before_it_the_day_before()
    {
        var calendar = ShopCalendar.For("America/Santiago", new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var days = calendar.LocalDaysBetween(new DateOnly(2025, 1, 1), new DateOnly(2026, 12, 31));

        for (var day = new DateOnly(2025, 1, 2); day <= new DateOnly(2026, 12, 31); day = day.AddDays(1))
        {
            var start = calendar.StartOfDay(day);
            days.DateOf(start).Should().Be(day);
            days.DateOf(start.AddTicks(-1)).Should().Be(day.AddDays(-1));
        }
    }
}
