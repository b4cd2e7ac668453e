using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using WinBack.SheetsSimulator;
using WinBack.Web.Digests;
using WinBack.Web.Reports;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Sheets;

namespace WinBack.Web.Tests.Reports;

/// <summary>
/// Customers without orders as a list like the others: search, sorts, sign-up dates, consent, CSV, saved views, the Sheet
/// and scheduled email. Today is Sunday 2026-11-22, 10:00 in New York. 40 accounts never bought (two of them placed only a
/// cancelled or a test order); three customers bought; another shop's accounts without orders must never show.
/// </summary>
public sealed class CustomersWithoutOrdersTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 22);
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly List<Account> _withoutOrders = [];
    private SmtpSink _smtp = null!;
    private RunningSheetsSimulator _google = null!;
    private WinBackApp _app = null!;
    private ReportShop _shop = null!;
    private HttpClient _client = null!;

    /// <summary>A customer as seeded, with the sign-up day and name the expectations are computed from.</summary>
    private sealed record Account(long Id, string? First, string? Last, string Email, DateTimeOffset CreatedAt, bool Subscribed)
    {
        public DateOnly SignedUpOn => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(CreatedAt, NewYork).DateTime);
        public string NameKey => $"{First ?? ""} {Last ?? ""}".ToLowerInvariant();
        public string Name => string.Join(' ', new[] { First, Last }.Where(n => n is not null));
    }

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0)
    {
        var local = new DateTime(year, month, day, hour, minute, 0);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local)).ToUniversalTime();
    }

    public async Task InitializeAsync()
    {
        _smtp = await SmtpSink.StartAsync();
        _google = await SheetsSimulatorHost.StartAsync();
        _app = await WinBackApp.StartAsync("without-orders", _clock, _smtp.Port,
            SheetSyncTests.SheetsSettings(_google, _google.Store.CreateServiceAccount(SheetSyncTests.ServiceAccount)));
        var shop = new ReportShop(_app, "fresh.myshopify.com");
        void Account(long id, string? first, string? last, DateTimeOffset createdAt, bool subscribed, string? email = null)
        {
            var account = new Account(id, first, last, email ?? $"{(first ?? "anon").ToLowerInvariant()}{id}@example.com", createdAt, subscribed);
            shop.Customer(id, first, last, account.Email, createdAt, subscribed ? "SUBSCRIBED" : id % 2 == 0 ? "NOT_SUBSCRIBED" : null);
            _withoutOrders.Add(account);
        }
        // The edges of "the last 7 days" (from Monday 16 November, local): one minute inside, ten minutes outside.
        Account(1, "Zoe", "Adams", Local(2026, 11, 16, 0, 1), subscribed: true);
        Account(2, "Adam", "Zimmer", Local(2026, 11, 15, 23, 50), subscribed: false);
        Account(3, null, null, Local(2026, 9, 10, 8), subscribed: false, email: "Nameless@Example.com");
        Account(4, "Bea", "Cole", Local(2026, 11, 22, 0, 30), subscribed: true, email: "bea.cole@shop.test");
        for (var i = 10; i < 44; i++)
            Account(i, $"Member{(i * 7) % 34:D2}", i % 3 == 0 ? "Cole" : "Young", Local(2026, 10, 1 + i % 20, 9 + i % 10), subscribed: i % 4 == 0);
        // Only a cancelled order, only a test order: neither is a qualifying order (PRODUCT.md), so both never bought.
        Account(50, "Erin", "Cancelled", Local(2026, 6, 1, 12), subscribed: true);
        shop.Order(50, new DateTime(2026, 6, 2, 12, 0, 0), 40m, cancelled: true);
        Account(51, "Frank", "Tester", Local(2026, 11, 1, 12), subscribed: false);
        shop.Order(51, new DateTime(2026, 11, 2, 12, 0, 0), 40m, test: true);
        shop.Customer(60, "Gina", "Buyer", createdAt: Local(2026, 11, 20, 9), marketing: "SUBSCRIBED").Order(60, new DateTime(2026, 11, 20, 10, 0, 0), 80m);
        shop.Customer(61, "Hugo", "Buyer", createdAt: Local(2026, 1, 5, 9)).Order(61, new DateTime(2026, 2, 1, 10, 0, 0), 20m);
        shop.Customer(62, "Cole", "Buyer", createdAt: Local(2026, 3, 5, 9)).Order(62, new DateTime(2026, 8, 1, 10, 0, 0), 20m);
        _shop = await shop.SaveAsync();
        await new ReportShop(_app, "other.myshopify.com").Customer(1000, "Other", "Shop", createdAt: Local(2026, 11, 21, 9)).SaveAsync();
        _client = _app.CreateClientFor(_shop.Domain);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _google.DisposeAsync();
        _smtp.Dispose();
    }

    private static IEnumerable<Account> NewestFirst(IEnumerable<Account> accounts) => accounts.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id);

    /// <summary>Every page of a query, following the cursors, 25 at a time.</summary>
    private async Task<(List<long> Ids, int Total)> AllPagesAsync(string query)
    {
        var ids = new List<long>();
        string? after = null;
        int total;
        do
        {
            var response = await _client.GetAsync($"/api/reports/inactive?list=without-orders&pageSize=25&{query}" + (after is null ? "" : $"&after={after}"));
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = (await response.Content.ReadFromJsonAsync<InactiveCustomersPage>())!;
            ids.AddRange(page.Customers.Select(c => c.Id));
            (total, after) = (page.TotalCount, page.NextCursor);
        } while (after is not null);
        return (ids, total);
    }

    [Fact]
    public async Task The_list_holds_every_customer_without_a_qualifying_order_newest_sign_up_first()
    {
        var expected = NewestFirst(_withoutOrders).Select(a => a.Id).ToList();

        var (ids, total) = await AllPagesAsync("");

        ids.Should().Equal(expected, "the cancelled-only and test-only customers never bought; buyers and the other shop's accounts are not here");
        total.Should().Be(_withoutOrders.Count);
        var first = (await _client.GetFromJsonAsync<InactiveCustomersPage>("/api/reports/inactive?list=without-orders"))!;
        first.Filter.Should().Be("list=without-orders", "newest sign-up first is this list's default order");
        var bea = first.Customers.Single(c => c.Id == 4);
        (bea.Name, bea.CustomerSince, bea.EmailSubscribed, bea.LastOrderDate, bea.OrdersCount, bea.Segment).Should().Be(("Bea Cole", Today, true, (DateOnly?)null, 0, (string?)null));

        var alias = (await _client.GetFromJsonAsync<WithoutOrdersPage>("/api/reports/without-orders?pageSize=25"))!;
        alias.Customers.Select(c => c.Id).Should().Equal(expected.Take(25), "the older endpoint serves the same list");
        alias.TotalCount.Should().Be(_withoutOrders.Count);
    }

    [Theory]
    [InlineData("sort=name")]
    [InlineData("sort=name&direction=desc")]
    [InlineData("sort=email")]
    [InlineData("sort=email&direction=desc")]
    [InlineData("sort=signedUp&direction=asc")]
    public async Task Each_sort_pages_through_every_customer_once_in_order(string query)
    {
        Func<Account, string> key = query.Contains("name") ? a => a.NameKey : a => a.Email.ToLowerInvariant();
        var ascending = query.Contains("signedUp")
            ? _withoutOrders.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            : _withoutOrders.OrderBy(key, StringComparer.Ordinal).ThenBy(a => a.Id);
        var expected = (query.Contains("desc") ? ascending.Reverse() : ascending).Select(a => a.Id);

        var (ids, _) = await AllPagesAsync(query);

        ids.Should().Equal(expected);
    }

    [Theory]
    [InlineData("q=cole")]
    [InlineData("q=EXAMPLE.COM&consent=subscribed")]
    [InlineData("signedUpDays=7")]
    [InlineData("signedUpDays=30&consent=not-subscribed")]
    [InlineData("signedUpFrom=2026-10-05&signedUpTo=2026-10-09&sort=name")]
    [InlineData("signedUpTo=2026-09-10")]
    [InlineData("consent=subscribed&sort=email")]
    [InlineData("consent=not-subscribed")]
    public async Task Search_sign_up_dates_and_consent_narrow_the_list(string query)
    {
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        string? Value(string key) => parameters.TryGetValue(key, out var v) ? v.ToString() : null;
        var matching = _withoutOrders.Where(a =>
            (Value("q") is not { } q || a.Name.Contains(q, StringComparison.OrdinalIgnoreCase) || a.Email.Contains(q, StringComparison.OrdinalIgnoreCase)) &&
            (Value("signedUpDays") is not { } days || a.SignedUpOn >= Today.AddDays(1 - int.Parse(days))) &&
            (Value("signedUpFrom") is not { } from || a.SignedUpOn >= DateOnly.Parse(from)) &&
            (Value("signedUpTo") is not { } to || a.SignedUpOn <= DateOnly.Parse(to)) &&
            (Value("consent") is not { } consent || a.Subscribed == (consent == "subscribed"))).ToList();
        var expected = Value("sort") switch
        {
            "name" => matching.OrderBy(a => a.NameKey, StringComparer.Ordinal).ThenBy(a => a.Id),
            "email" => matching.OrderBy(a => a.Email.ToLowerInvariant(), StringComparer.Ordinal).ThenBy(a => a.Id),
            _ => NewestFirst(matching),
        };
        matching.Should().NotBeEmpty().And.HaveCountLessThan(_withoutOrders.Count, "each filter keeps some customers and leaves others out");

        var (ids, total) = await AllPagesAsync(query);

        ids.Should().Equal(expected.Select(a => a.Id));
        total.Should().Be(matching.Count);
    }

    [Fact]
    public async Task The_last_7_days_start_at_local_midnight_six_days_ago()
    {
        var (ids, _) = await AllPagesAsync("signedUpDays=7");

        ids.Should().Equal([4, 1], "Bea signed up today, Zoe one minute into Monday 16 November; Adam ten minutes before it");
    }

    [Fact]
    public async Task A_customer_who_places_an_order_leaves_the_list_and_its_count_at_once()
    {
        (await AllPagesAsync("")).Total.Should().Be(_withoutOrders.Count);

        await using (var db = _app.CreateDbContext())
        {
            db.Orders.Add(new Web.Sync.Order { ShopId = _shop.ShopId, Id = 9000, CustomerId = 4, Name = "#9000", ProcessedAt = Now.AddHours(-1), UpdatedAt = Now, CurrentTotal = 25m, CurrencyCode = "USD" });
            await db.SaveChangesAsync();
        }
        await _shop.RecomputeAsync();

        var (ids, total) = await AllPagesAsync("");
        total.Should().Be(_withoutOrders.Count - 1, "the cached count follows the shop's data version");
        ids.Should().NotContain(4);
    }

    [Fact]
    public async Task The_csv_export_lists_the_filtered_customers_in_the_list_order()
    {
        const string filter = "list=without-orders&consent=subscribed&sort=name";
        var expected = _withoutOrders.Where(a => a.Subscribed).OrderBy(a => a.NameKey, StringComparer.Ordinal).ThenBy(a => a.Id).ToList();

        var link = (await (await _client.PostAsync($"/api/reports/inactive/export?{filter}", null)).Content.ReadFromJsonAsync<ExportLink>())!;
        var download = await _app.CreateClient().GetAsync(link.Url);

        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.FileName.Should().Be("customers-without-orders-fresh-2026-11-22.csv");
        var lines = (await download.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines.Skip(1).Select(l => long.Parse(l[..l.IndexOf(',')])).Should().Equal(expected.Select(a => a.Id));
        lines.Single(l => l.StartsWith("4,")).Should().StartWith("4,Bea,Cole,bea.cole@shop.test,subscribed,,,0,0.00,");
    }

    [Fact]
    public async Task A_saved_view_of_the_list_feeds_the_sheet_and_a_scheduled_email()
    {
        var saved = await _client.PutAsJsonAsync("/api/views", new SaveViewRequest("New sign-ups to welcome", "consent=subscribed&signedUpDays=60&list=without-orders"));
        saved.StatusCode.Should().Be(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var view = (await saved.Content.ReadFromJsonAsync<SavedViewDto>())!;
        view.Query.Should().Be("list=without-orders&signedUpDays=60&consent=subscribed", "the canonical form");
        var expected = NewestFirst(_withoutOrders.Where(a => a.Subscribed && a.SignedUpOn >= Today.AddDays(-59))).ToList();
        expected.Should().NotBeEmpty();

        var spreadsheet = _google.Store.CreateSpreadsheet("Welcome flow", SheetSyncTests.ServiceAccount);
        long syncId;
        await using (var db = _app.CreateDbContext())
        {
            var sync = new SheetSync { ShopId = _shop.ShopId, SpreadsheetId = spreadsheet.Id, TabName = "Welcome", SavedViewId = view.Id, CreatedAt = Now, VerifiedAt = Now };
            db.SheetSyncs.Add(sync);
            await db.SaveChangesAsync();
            syncId = sync.Id;
        }
        using (var scope = _app.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<SheetSyncJob>().RunAsync(_shop.ShopId, syncId, CancellationToken.None);
        await using (var db = _app.CreateDbContext())
            (await db.SheetSyncs.SingleAsync(s => s.Id == syncId)).LastError.Should().BeNull();
        var rows = spreadsheet.Tabs.Single(t => t.Title == "Welcome").Rows();
        rows.Skip(1).Select(r => long.Parse(r[0])).Should().Equal(expected.Select(a => a.Id));

        var scheduled = await _client.PostAsJsonAsync("/api/scheduled-reports", new ScheduleReportRequest(view.Id, "daily", "Monday", 7, ["crm@fresh.example"]));
        scheduled.StatusCode.Should().Be(HttpStatusCode.OK, await scheduled.Content.ReadAsStringAsync());
        using (var scope = _app.Services.CreateScope())
        {
            var due = (await scope.ServiceProvider.GetRequiredService<DigestDispatcher>().DueAsync(CancellationToken.None)).Single(d => d.ShopId == _shop.ShopId);
            await scope.ServiceProvider.GetRequiredService<ScheduledReportJob>().RunAsync(_shop.ShopId, due.ReportId!.Value, due.Period, "test", CancellationToken.None);
        }
        var email = _smtp.Messages().Should().ContainSingle().Subject.Message;
        email.Subject.Should().Be($"fresh: New sign-ups to welcome: {expected.Count} customers");
        email.TextBody.Should().Contain("Bea Cole <bea.cole@shop.test>: no order yet, signed up 2026-11-22");
        email.HtmlBody.Should().Contain("none yet (signed up 2026-11-22)");
        email.TextBody.Should().Contain("?list=without-orders&signedUpDays=60&consent=subscribed", "the link opens the same list");
        var attachment = email.Attachments.OfType<MimePart>().Single();
        attachment.FileName.Should().Be("customers-without-orders-fresh-2026-11-22.csv", "the attachment is named after its list, as the download is");
        using var csv = new MemoryStream();
        await attachment.Content!.DecodeToAsync(csv);
        System.Text.Encoding.UTF8.GetString(csv.ToArray()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => long.Parse(l[..l.IndexOf(',')])).Should().Equal(expected.Select(a => a.Id));
    }

    [Theory]
    [InlineData("list=without-orders&window=optimal", "window", "Customers without orders have never bought, so they have no last order to count weeks from. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&minWeeks=8", "minWeeks", "Customers without orders have never bought, so they have no last order to count weeks from. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&segment=high-value-recent", "segment", "Customers without orders have never bought, so they have no win-back segment. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&highValue=true", "highValue", "Customers without orders have never bought, so they have no spending to filter by. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&minSpent=10", "minSpent", "Customers without orders have never bought, so they have no spending to filter by. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&risk=high", "risk", "Customers without orders have never bought, so they have no churn risk. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&rfm=champions", "rfm", "Customers without orders have never bought, so they have no RFM segment. Remove this filter or switch to a list of customers with orders.")]
    [InlineData("list=without-orders&sort=lastOrder", "sort", "Customers without orders have no orders to sort by. Sort them by name, email or signedUp (sign-up date).")]
    [InlineData("list=without-orders&sort=totalSpent", "sort", "Customers without orders have no orders to sort by. Sort them by name, email or signedUp (sign-up date).")]
    [InlineData("list=without-orders&sort=pAlive", "sort", "Customers without orders have no orders to sort by. Sort them by name, email or signedUp (sign-up date).")]
    [InlineData("list=without-orders&signedUpFrom=22/11/2026", "signedUpFrom", "Write a sign-up date as year-month-day, like 2026-11-01.")]
    [InlineData("list=without-orders&signedUpFrom=2026-11-10&signedUpTo=2026-11-01", "signedUpTo", "The last sign-up date must not be before the first.")]
    [InlineData("list=without-orders&signedUpDays=0", "signedUpDays", "Signed up in the last days takes a whole number of days from 1 to 3650.")]
    [InlineData("list=without-orders&signedUpDays=30&signedUpFrom=2026-11-01", "signedUpDays", "Choose either the last days or your own sign-up dates, not both.")]
    [InlineData("signedUpDays=30", "signedUpDays", "Sign-up dates filter the list of customers without orders; the other lists go by orders. Remove this filter or switch to customers without orders.")]
    [InlineData("list=at-risk&signedUpFrom=2026-11-01", "signedUpFrom", "Sign-up dates filter the list of customers without orders; the other lists go by orders. Remove this filter or switch to customers without orders.")]
    [InlineData("sort=signedUp", "sort", "Only customers without orders are sorted by sign-up date. Sort this list by one of lastOrder, name, email, totalSpent, ordersCount, segment, pAlive, overdue, predictedValue.")]
    [InlineData("list=nobody", "list", "Choose a list: inactive, at-risk, all or without-orders.")]
    public async Task Filters_that_do_not_fit_the_list_are_refused_with_a_sentence(string query, string parameter, string sentence)
    {
        var response = await _client.GetAsync($"/api/reports/inactive?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").GetProperty(parameter)[0].GetString().Should().Be(sentence);
        problem.GetProperty("detail").GetString().Should().Be(sentence);
    }
}
