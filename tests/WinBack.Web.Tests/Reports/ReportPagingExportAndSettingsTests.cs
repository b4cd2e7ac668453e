using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Settings;

namespace WinBack.Web.Tests.Reports;

/// <summary>Keyset paging, the CSV export, saved views and settings, on a shop of 130 inactive customers (Europe/Berlin).</summary>
public sealed class ReportPagingExportAndSettingsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("report-paging", _clock);
        var shop = new ReportShop(_app, "paging.myshopify.com", "Europe/Berlin", "EUR");
        // Ties on purpose: ten customers share each last-order day, and totals repeat, so paging must break ties by id.
        for (var i = 1; i <= 130; i++)
            shop.Customer(i, $"Name{i:D3}", i % 2 == 0 ? "Even" : "Odd", marketing: i % 3 == 0 ? "SUBSCRIBED" : null)
                .Order(i, new DateTime(2026, 9, 1 + i / 10, 10, 0, 0), 10m * (i % 7 + 1));
        shop.Customer(500, "=HYPERLINK(\"http://x\")", "\rQuote, \"Comma\"", email: "\t=1+2@example.com").Order(500, new DateTime(2026, 9, 20, 10, 0, 0), 99.5m);
        _shop = await shop.SaveAsync();
        _client = _app.CreateClientFor(_shop.Domain);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<List<ReportCustomer>> AllPagesAsync(string query, int pageSize)
    {
        var all = new List<ReportCustomer>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = (await _client.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{query}&pageSize={pageSize}" + (after is null ? "" : $"&after={after}")))!;
            page.Customers.Count.Should().BeLessThanOrEqualTo(pageSize);
            page.TotalCount.Should().Be(131);
            all.AddRange(page.Customers);
            after = page.NextCursor;
            pages++;
        } while (after is not null);
        pages.Should().Be((int)Math.Ceiling(131.0 / pageSize));
        return all;
    }

    [Theory]
    [InlineData("sort=lastOrder")]
    [InlineData("sort=totalSpent")]
    [InlineData("sort=name")]
    [InlineData("sort=email&direction=desc")]
    [InlineData("sort=ordersCount")]
    [InlineData("sort=segment")]
    public async Task Paging_through_a_sort_visits_every_customer_once_in_order(string query)
    {
        var paged = await AllPagesAsync(query, 25);
        var oneGo = (await _client.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{query}&pageSize=250"))!.Customers;

        paged.Select(c => c.Id).Should().Equal(oneGo.Select(c => c.Id));
        paged.Select(c => c.Id).Should().OnlyHaveUniqueItems().And.HaveCount(131);
    }

    [Fact]
    public async Task A_cursor_of_another_sort_is_refused()
    {
        var first = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?pageSize=25"))!;

        var response = await _client.GetAsync($"/api/reports/inactive?sort=name&after={first.NextCursor}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("after");
    }

    [Fact]
    public async Task The_csv_export_downloads_exactly_the_filtered_view()
    {
        const string filter = "minSpent=40&sort=totalSpent&direction=asc";
        var expected = (await _client.GetFromJsonAsync<InactiveCustomersPage>($"/api/reports/inactive?{filter}&pageSize=250"))!.Customers;

        var link = (await (await _client.PostAsync($"/api/reports/inactive/export?{filter}", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        var download = await _app.CreateClient().GetAsync(link.Url);

        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        download.Content.Headers.ContentDisposition!.FileName.Should().Be("inactive-customers-paging-2026-11-22.csv");
        var bytes = await download.Content.ReadAsByteArrayAsync();
        bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
        var lines = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("Customer ID,First name,Last name,Email,Email marketing,Last order date,Weeks since last order,Orders,Total spent (EUR),Segment,Priority,Suggested action," +
            "Churn risk,Chance still active,Overdue (times usual gap),Next order expected,Predicted 12-month value,RFM segment,RFM score,Why at risk");
        lines.Skip(1).Select(l => long.Parse(l[..l.IndexOf(',')])).Should().Equal(expected.Select(c => c.Id));
        lines.Should().Contain(l => l.StartsWith("500,\"'=HYPERLINK(\"\"http://x\"\")\",\"'\rQuote, \"\"Comma\"\"\",'\t=1+2@example.com,", StringComparison.Ordinal),
            "a formula-like cell (=, +, -, @, or a tab or carriage return first) stays text, and quotes and commas are escaped");
        var first = expected[0];
        lines[1].Should().StartWith($"{first.Id},{first.FirstName},{first.LastName},{first.Email},").And.Contain($",{first.LastOrderDate:yyyy-MM-dd},{first.WeeksSinceLastOrder},");
    }

    [Fact]
    public async Task An_export_link_that_is_forged_or_expired_is_refused()
    {
        var link = (await (await _client.PostAsync("/api/reports/inactive/export", null)).Content.ReadFromJsonAsync<ExportLink>())!;

        (await _app.CreateClient().GetAsync("/exports/inactive-customers.csv?token=forged")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        _clock.Advance(TimeSpan.FromMinutes(3));
        (await _app.CreateClient().GetAsync(link.Url)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_saved_view_keeps_the_canonical_filter_and_is_replaced_by_name()
    {
        var saved = await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("High value, 4-6 weeks", "highValue=true&window=optimal&pageSize=25"));
        saved.StatusCode.Should().Be(HttpStatusCode.OK);
        await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("High value, 4-6 weeks", "window=optimal&highValue=true"));

        var views = (await _client.GetFromJsonAsync<List<SavedViewDto>>("/api/views"))!;
        views.Select(v => (v.Name, v.Query)).Should().Equal(("High value, 4-6 weeks", "window=optimal&highValue=true"));

        var invalid = await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("Broken", "segment=vip"));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var tooLong = await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("Long", "q=" + Uri.EscapeDataString(new string('猫', 100)) +
            "&segment=" + string.Join(',', WinBackRules.Segments.Select(x => x.Key)) + "&rfm=" + string.Join(',', WinBack.Web.Predictions.PredictionTerms.RfmSegments.Select(r => r.Key))));
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("query", out _).Should().BeTrue();
        (await _client.DeleteAsync($"/api/views/{views[0].Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _app.CreateClientFor("elsewhere.myshopify.com").GetAsync("/api/views")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_saved_view_is_renamed_keeping_its_filter_and_a_taken_name_is_refused()
    {
        var first = (await (await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("Optimal", "window=optimal"))).Content.ReadFromJsonAsync<SavedViewDto>())!;
        await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("Big spenders", "highValue=true"));

        var renamed = await _client.PatchAsJsonAsync($"/api/views/{first.Id}", new RenameViewRequest("  Best time to act "));
        renamed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await _client.GetFromJsonAsync<List<SavedViewDto>>("/api/views"))!.Select(v => (v.Id, v.Name, v.Query))
            .Should().Contain((first.Id, "Best time to act", "window=optimal"));

        var taken = await _client.PatchAsJsonAsync($"/api/views/{first.Id}", new RenameViewRequest("Big spenders"));
        taken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("name")[0].GetString()
            .Should().Be("You already have a view named \"Big spenders\". Choose another name.");
        (await _client.PatchAsJsonAsync($"/api/views/{first.Id}", new RenameViewRequest(" "))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await new ReportShop(_app, "other.myshopify.com").SaveAsync();
        (await _app.CreateClientFor("other.myshopify.com").PatchAsJsonAsync($"/api/views/{first.Id}", new RenameViewRequest("Mine")))
            .StatusCode.Should().Be(HttpStatusCode.NotFound, "another shop's view is not there for this shop");
    }

    [Fact]
    public async Task Settings_preview_before_saving_and_change_the_list_once_saved()
    {
        var page = (await _client.GetFromJsonAsync<SettingsPage>("/api/settings"))!;
        page.Settings.Should().Be(new SettingsDto(4, "percentile", 80, null));
        page.CurrencyCode.Should().Be("EUR");
        page.Suggestion.Should().Be(ThresholdSuggestion.None, "nobody here ordered twice");

        // Last orders run from 2026-09-01 to 2026-09-14 (Berlin): 10 to 11 weeks before 2026-11-22.
        var preview = (await (await _client.PostAsJsonAsync("/api/settings/preview", new SettingsDto(11, "amount", 80, 60m))).Content.ReadFromJsonAsync<SettingsPreview>())!;
        var before = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive"))!.TotalCount;
        before.Should().Be(131, "previewing saves nothing");
        preview.HighValueLine.Should().Be(60m);
        preview.HighValueCustomers.Should().Be(Enumerable.Range(1, 130).Count(i => 10 * (i % 7 + 1) >= 60) + 1, "the customers with 60 or 70, and the one with 99.50");

        (await _client.PutAsJsonAsync("/api/settings", new SettingsDto(11, "amount", 80, 60m))).StatusCode.Should().Be(HttpStatusCode.OK);
        var after = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?pageSize=250"))!;
        after.TotalCount.Should().Be(preview.InactiveCustomers).And.BeLessThan(131);
        after.Customers.Should().OnlyContain(c => c.WeeksSinceLastOrder >= 11);
        after.ThresholdWeeks.Should().Be(11);
    }

    [Theory]
    [InlineData(0, "percentile", 80, null, "inactivityThresholdWeeks")]
    [InlineData(4, "median", 80, null, "highValueRule")]
    [InlineData(4, "percentile", 100, null, "highValuePercentile")]
    [InlineData(4, "amount", 80, null, "highValueAmount")]
    [InlineData(4, "amount", 80, 1e16, "highValueAmount")]
    [InlineData(4, "5", 80, null, "highValueRule")]
    [InlineData(4, "1", 80, 100.0, "highValueRule")]
    public async Task Invalid_settings_are_a_400_that_names_the_field(int weeks, string rule, int percentile, double? amount, string field)
    {
        var response = await _client.PutAsJsonAsync("/api/settings", new SettingsDto(weeks, rule, percentile, (decimal?)amount));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue();
        (await _client.GetAsync("/api/settings")).StatusCode.Should().Be(HttpStatusCode.OK, "nothing unreadable was saved");
    }

    [Theory]
    [InlineData("""{"inactivityThresholdWeeks":4,"highValueRule":1,"highValuePercentile":80,"highValueAmount":null}""")]
    [InlineData("""{"inactivityThresholdWeeks":1e10,"highValueRule":"percentile","highValuePercentile":80,"highValueAmount":null}""")]
    public async Task Settings_that_are_not_even_the_right_kind_of_value_are_a_problem_response(string json)
    {
        var response = await _client.PutAsync("/api/settings", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
    }
}
