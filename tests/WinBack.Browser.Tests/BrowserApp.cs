using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using WinBack.SheetsSimulator;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.ShopifySimulator.Store;
using WinBack.Web.Sync;

namespace WinBack.Browser.Tests;

/// <summary>Every browser test class shares one <see cref="BrowserApp"/> (its shops take a while to sync).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserApp>
{
    public const string Name = "Browser";
}

/// <summary>
/// The app and the Shopify simulator on loopback, two shops installed and synced the real way (bulk operations), and a
/// headless Chromium (the system's, WINBACK_CHROMIUM or /usr/bin/chromium) that opens WinBack from the simulator's admin.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    public const string ReportShop = "browser-report.myshopify.com";
    public const string SettingsShop = "browser-settings.myshopify.com";
    public const string ServiceAccount = "winback-sync@winback-browser.iam.gserviceaccount.com";

    private IPlaywright _playwright = null!;
    public WinBackApp App { get; private set; } = null!;
    public RunningSimulator Simulator { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public RunningSheetsSimulator Google { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Google = await SheetsSimulatorHost.StartAsync();
        (App, Simulator) = await WinBackApp.StartWithSimulatorAsync("browser", quiet: true, settings: new Dictionary<string, string>
        {
            ["Sheets:BaseUrl"] = Google.BaseUrl.ToString(),
            ["Sheets:TokenUrl"] = Google.TokenUrl.ToString(),
            ["Sheets:ServiceAccountEmail"] = ServiceAccount,
            ["Sheets:ServiceAccountPrivateKey"] = Google.Store.CreateServiceAccount(ServiceAccount),
        });
        await InstallAndSyncAsync(ReportShop, orders: 2_500, seed: 5);
        await InstallAndSyncAsync(SettingsShop, orders: 1_000, seed: 9);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("WINBACK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
        await Google.DisposeAsync();
    }

    /// <summary>For what the page asks the API after the report's own calls: on a busy machine that takes more than the default 5 s.</summary>
    public static readonly LocatorAssertionsToBeVisibleOptions Loaded = new() { Timeout = 15_000 };

    public SimulatedShop Shop(string domain) => Simulator.Runtime.Store.Find(domain)!;

    /// <summary>Shopify admin's page for WinBack, as the merchant's bookmark would be (with WinBack's own parameters).</summary>
    public string AdminUrl(string domain, string query = "") =>
        new Uri(Simulator.BaseUrl, $"store/{domain.Split('.')[0]}/apps/{WinBackApp.ApiKey}{(query.Length > 0 ? "?" + query : "")}").ToString();

    /// <summary>
    /// A fresh browser page on WinBack inside the simulated admin, once the report has loaded; <paramref name="frameLoads"/>
    /// collects the address of every document the frame requested (redirects included).
    /// </summary>
    public async Task<(IPage Page, IFrameLocator App)> OpenAsync(string domain, string query = "", int height = 1100, List<Uri>? frameLoads = null, int width = 1440)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, AcceptDownloads = true });
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest && request.Frame != page.MainFrame) frameLoads?.Add(new Uri(request.Url));
        };
        var console = new List<string>();
        page.Console += (_, message) => console.Add($"{message.Type}: {message.Text}");
        page.PageError += (_, error) => console.Add($"page error: {error}");
        await page.GotoAsync(AdminUrl(domain, query));
        var app = page.FrameLocator("#app");
        try
        {
            await app.GetByRole(AriaRole.Tab, new() { Name = "Inactive customers" }).WaitForAsync(new() { Timeout = 20_000 });
        }
        catch (TimeoutException e)
        {
            var body = await app.Locator("body").InnerHTMLAsync(new() { Timeout = 2_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(no frame body)");
            throw new TimeoutException($"WinBack did not show its report. Console:\n{string.Join('\n', console)}\nFrame body: {body[..Math.Min(body.Length, 2000)]}", e);
        }
        return (page, app);
    }

    /// <summary>The ids of the customers the list on screen shows, in its order (from their links to Shopify admin).</summary>
    public static async Task<long[]> ShownCustomerIdsAsync(IFrameLocator app) =>
        (await app.Locator("tbody a[href*='/customers/']").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
        .Select(href => long.Parse(href[(href.LastIndexOf('/') + 1)..])).ToArray();

    /// <summary>
    /// Saves a screenshot under WINBACK_SCREENSHOTS (docs/screenshots when the README's command makes them): the page as
    /// the merchant sees it, or only <paramref name="part"/> of it (scrolled into view, with a little of what surrounds it).
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name, ILocator? part = null)
    {
        if (Environment.GetEnvironmentVariable("WINBACK_SCREENSHOTS") is not { Length: > 0 } folder) return;
        await Assertions.Expect(page.FrameLocator("#app").GetByText("Loading customers").Filter(new() { Visible = true })).ToHaveCountAsync(0);
        Directory.CreateDirectory(folder);
        var options = new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") };
        if (part is not null)
        {
            await part.ScrollIntoViewIfNeededAsync();
            const int margin = 12;
            var box = (await part.BoundingBoxAsync())!;
            options.Clip = new Clip { X = box.X - margin, Y = box.Y - margin, Width = box.Width + 2 * margin, Height = box.Height + 2 * margin };
        }
        await page.ScreenshotAsync(options);
    }

    /// <summary>
    /// Creates the shop in the simulator (with the scopes given, all of WinBack's by default), installs WinBack from its
    /// admin and runs the first sync and what follows it (unless <paramref name="sync"/> is false: the import then waits).
    /// </summary>
    public async Task InstallAndSyncAsync(string domain, int orders, int seed, IReadOnlyList<string>? scopes = null, bool sync = true)
    {
        ShopLifecycle.CreateAndInstall(Simulator.Runtime, new ShopLifecycle.NewShop(domain, Orders: orders, Seed: seed, Name: domain.Split('.')[0].Replace('-', ' '), Scopes: scopes));
        (await WinBackApp.OpenFromAdminAsync(Simulator.BaseUrl, domain)).StatusCode.Should().Be(HttpStatusCode.OK);
        if (!sync) return;
        long shopId;
        await using (var db = App.CreateDbContext()) shopId = (await db.Shops.SingleAsync(s => s.Domain == domain)).Id;
        using var scope = App.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<InitialSyncJob>().RunAsync(shopId, CancellationToken.None);
        // What Hangfire runs after a sync (tests run no Hangfire server): the retention chart's first point and the predictions.
        await scope.ServiceProvider.GetRequiredService<WinBack.Web.Reports.RetentionSnapshotJob>().RunAsync(shopId, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<WinBack.Web.Predictions.CustomerPredictionJob>().RunAsync(shopId, CancellationToken.None);
    }
}

/// <summary>What PRODUCT.md says the report shows, computed from the simulator's own data (not from WinBack's copy).</summary>
public sealed record Expected(long Id, DateTimeOffset LastOrderAt, int Weeks, decimal TotalSpent, bool HighValue)
{
    public static int CustomersWithOrders(SimulatedShop shop)
    {
        lock (shop.Sync) return shop.Customers.Count(c => shop.QualifyingOrdersOf(c.Id).Count > 0);
    }

    /// <summary>
    /// Inactive by their own cycle: away at least twice the median gap between their order days and two weeks; with a
    /// single order day, the fixed threshold.
    /// </summary>
    public static int PersonallyInactive(SimulatedShop shop, int thresholdWeeks = 4)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(shop.IanaTimezone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        lock (shop.Sync)
        {
            return shop.Customers.Count(c =>
            {
                var days = shop.QualifyingOrdersOf(c.Id)
                    .Select(o => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(o.ProcessedAt, zone).DateTime).DayNumber).Distinct().Order().ToList();
                if (days.Count == 0) return false;
                var away = today.DayNumber - days[^1];
                if (days.Count == 1) return away / 7 >= thresholdWeeks;
                var gaps = days.Zip(days.Skip(1), (a, b) => (double)(b - a)).Order().ToList();
                var median = gaps.Count % 2 == 1 ? gaps[gaps.Count / 2] : (gaps[gaps.Count / 2 - 1] + gaps[gaps.Count / 2]) / 2;
                return away >= Math.Max(2 * median, 14);
            });
        }
    }

    public static List<Expected> InactiveCustomers(SimulatedShop shop, int thresholdWeeks = 4)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(shop.IanaTimezone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        lock (shop.Sync)
        {
            var buyers = shop.Customers.Select(c =>
                {
                    var qualifying = shop.QualifyingOrdersOf(c.Id);
                    return (c.Id, Orders: qualifying);
                })
                .Where(c => c.Orders.Count > 0)
                .Select(c => (c.Id, Last: c.Orders.Max(o => o.ProcessedAt), Total: c.Orders.Sum(o => o.CurrentTotalPrice)))
                .ToList();
            var totals = buyers.Select(b => b.Total).Order().ToList();
            var line = totals[(int)Math.Ceiling(0.8 * totals.Count) - 1];
            return buyers
                .Select(b => new Expected(b.Id, b.Last, (today.DayNumber - DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b.Last, zone).DateTime).DayNumber) / 7, b.Total, b.Total >= line))
                .Where(e => e.Weeks >= thresholdWeeks)
                .OrderBy(e => e.LastOrderAt).ThenBy(e => e.Id)
                .ToList();
        }
    }
}
