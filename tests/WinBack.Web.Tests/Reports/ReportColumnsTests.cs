using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WinBack.Web.Reports;
using WinBack.Web.Settings;

namespace WinBack.Web.Tests.Reports;

/// <summary>The report table's columns: a default that fits a laptop, the merchant's choice remembered for the shop and only for it.</summary>
public sealed class ReportColumnsTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;
    private ReportShop _other = null!;

    public async Task InitializeAsync()
    {
        _app = await WinBackApp.StartAsync("columns", new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 15, 0, 0, TimeSpan.Zero)));
        _shop = await new ReportShop(_app, "columns.myshopify.com").Customer(1, "Ada", "Lovelace").SaveAsync();
        _other = await new ReportShop(_app, "other-columns.myshopify.com").Customer(1, "Alan", "Turing").SaveAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<IReadOnlyList<string>> ColumnsOfAsync(ReportShop shop) =>
        (await _app.CreateClientFor(shop.Domain).GetFromJsonAsync<ReportContext>("/api/reports/context"))!.Columns;

    [Fact]
    public async Task A_choice_of_columns_is_kept_for_the_shop_in_the_tables_order_with_the_customer_first()
    {
        (await ColumnsOfAsync(_shop)).Should().Equal("customer", "email", "lastOrder", "weeksAway", "totalSpent", "segment", "churnRisk", "overdue");

        var saved = await _app.CreateClientFor(_shop.Domain).PutAsJsonAsync("/api/settings/columns", new ReportColumnsRequest(["rfm", "email", "predictedValue"]));

        saved.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ColumnsOfAsync(_shop)).Should().Equal(["customer", "email", "predictedValue", "rfm"], "a new session of the shop opens with the chosen columns");
        (await ColumnsOfAsync(_other)).Should().Equal(ReportColumns.Default, "another shop keeps its own");
    }

    [Theory]
    [InlineData("""{"columns":[]}""", "Choose at least one column to show.")]
    [InlineData("""{"columns":["email","postcode"]}""", "There is no column called 'postcode'.")]
    public async Task A_choice_that_names_no_known_column_is_refused_in_words_and_changes_nothing(string body, string sentence)
    {
        var response = await _app.CreateClientFor(_shop.Domain).PutAsync("/api/settings/columns", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty("columns")[0].GetString().Should().StartWith(sentence);
        (await ColumnsOfAsync(_shop)).Should().Equal(ReportColumns.Default);
    }
}
