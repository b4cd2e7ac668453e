using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.ShopifySimulator;
using WinBack.Web.Data;

namespace WinBack.Testing;

/// <summary>
/// The one test host: the real app, with its real migrations, on its own PostgreSQL database. With a simulator it
/// listens on a real loopback port (so the simulator's webhooks and redirects reach it) and talks to that simulator
/// as it would to Shopify; with a clock, app and simulator share one fake time.
/// </summary>
public sealed class WinBackApp : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key";
    public const string ApiSecret = "test-api-secret";

    private readonly PostgresServer _server;
    private readonly RunningSimulator? _simulator;
    private readonly Uri? _simulatorUrl;
    private readonly TimeProvider? _clock;
    private bool _quiet;
    private bool _runJobs;
    private int? _smtpPort;
    private Serilog.Core.ILogEventSink? _logSink;
    private IReadOnlyDictionary<string, string> _settings = new Dictionary<string, string>();

    private WinBackApp(PostgresServer server, string connectionString, Uri appUrl, RunningSimulator? simulator, TimeProvider? clock, Uri? simulatorUrl = null)
    {
        _server = server;
        ConnectionString = connectionString;
        AppUrl = appUrl;
        _simulator = simulator;
        _simulatorUrl = simulatorUrl ?? simulator?.BaseUrl;
        _clock = clock;
    }

    public string ConnectionString { get; }
    public Uri AppUrl { get; }

    /// <param name="server">The PostgreSQL to use; the shared one unless a test needs its own (to stop and start it).</param>
    public static async Task<WinBackApp> StartAsync(
        string databasePrefix = "app", TimeProvider? clock = null, int? smtpPort = null, IReadOnlyDictionary<string, string>? settings = null,
        PostgresServer? server = null)
    {
        server ??= await PostgresServer.Shared;
        var app = new WinBackApp(server, await server.CreateDatabaseAsync(databasePrefix), new Uri("https://winback.test/"), null, clock)
        {
            _smtpPort = smtpPort,
            _settings = settings ?? new Dictionary<string, string>(),
        };
        _ = app.Services; // builds the host: the database is migrated before anything starts (Database:MigrateOnStartup)
        return app;
    }

    /// <summary>App and simulator wired to each other on loopback; the simulator plays Shopify with the app's credentials.</summary>
    /// <param name="logSink">Receives every event the app logs, as its console would (a test that reads the logs).</param>
    public static async Task<(WinBackApp App, RunningSimulator Simulator)> StartWithSimulatorAsync(
        string databasePrefix, TimeProvider? clock = null, bool quiet = false, bool runJobs = false, IReadOnlyDictionary<string, string>? settings = null,
        Serilog.Core.ILogEventSink? logSink = null)
    {
        var port = PostgresServer.FreePort();
        var appUrl = new Uri($"http://127.0.0.1:{port}/");
        var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.ApiKey = ApiKey;
            o.ApiSecret = ApiSecret;
            o.AppUrl = appUrl;
            o.ComplianceWebhookUrl = new Uri(appUrl, "webhooks");
        }, clock);
        var server = await PostgresServer.Shared;
        var app = new WinBackApp(server, await server.CreateDatabaseAsync(databasePrefix), appUrl, simulator, clock)
        {
            _quiet = quiet,
            _runJobs = runJobs,
            _settings = settings ?? new Dictionary<string, string>(),
            _logSink = logSink,
        };
        app.UseKestrel(port);
        app.StartServer();
        return (app, simulator);
    }

    /// <summary>The app on <paramref name="port"/>, talking to a simulator running in another process (benchmarks keep its memory apart).</summary>
    public static async Task<WinBackApp> StartWithExternalSimulatorAsync(string databasePrefix, int port, Uri simulatorUrl, bool quiet = true)
    {
        var server = await PostgresServer.Shared;
        var app = new WinBackApp(server, await server.CreateDatabaseAsync(databasePrefix), new Uri($"http://127.0.0.1:{port}/"), null, null, simulatorUrl) { _quiet = quiet };
        app.UseKestrel(port);
        app.StartServer();
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:WinBack", ConnectionString);
        // Migrated by Program before any hosted service (Data Protection's key ring, Hangfire) touches the database.
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("ShopifyApp:ApiKey", ApiKey);
        builder.UseSetting("ShopifyApp:ApiSecret", ApiSecret);
        builder.UseSetting("ShopifyApp:AppUrl", AppUrl.ToString());
        // Throwaway databases holding only the simulator's tokens: the key ring may stay unencrypted, said so explicitly
        // (KeyRingTests supplies a certificate through its settings).
        builder.UseSetting("KeyRing:AllowUnencrypted", "true");
        // Mail goes to a test's smtp-sink, or to a closed port (a digest sent there fails as it would with a dead server).
        builder.UseSetting("Smtp:Host", "127.0.0.1");
        builder.UseSetting("Smtp:Port", (_smtpPort ?? 9).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Smtp:Security", "None");
        builder.UseSetting("Smtp:From", "WinBack <digest@winback.test>");
        // Tests run jobs by calling the job classes; a background Hangfire server would race them. Benchmarks run one.
        builder.UseSetting("Jobs:RunServer", _runJobs ? "true" : "false");
        // Benchmarks measure the work, not the console: only warnings are logged.
        if (_quiet) builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // Benchmarks play sixteen browsers of one shop at full speed; the per-shop limit would measure itself.
        if (_quiet) builder.UseSetting("RateLimits:ApiRequestsPerMinute", "100000000");
        if (_simulatorUrl is not null)
        {
            builder.UseSetting("Shopify:ShopBaseUrl", $"{_simulatorUrl}{{shop}}");
            builder.UseSetting("ShopifyApp:AppBridgeUrl", new Uri(_simulatorUrl, "app-bridge.js").ToString());
            builder.UseSetting("ShopifyApp:AdminFrameOrigins", _simulatorUrl.GetLeftPart(UriPartial.Authority));
        }
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_clock is not null) builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        // Serilog takes the sinks registered as services (ReadFrom.Services in Program).
        if (_logSink is not null) builder.ConfigureTestServices(services => services.AddSingleton(_logSink));
    }

    /// <summary>Opens the app from the simulated Shopify admin, as a merchant's browser would: loads the admin page and
    /// then the signed URL its iframe points at (which installs the app when it is new to the shop).</summary>
    public static async Task<HttpResponseMessage> OpenFromAdminAsync(Uri simulatorUrl, string shopDomain)
    {
        using var browser = new HttpClient();
        return await browser.GetAsync(await FramedAppUrlAsync(simulatorUrl, shopDomain));
    }

    /// <summary>The signed address the simulated admin page frames WinBack at (a tab that has not loaded it yet).</summary>
    public static async Task<Uri> FramedAppUrlAsync(Uri simulatorUrl, string shopDomain)
    {
        using var browser = new HttpClient();
        var admin = await browser.GetStringAsync(new Uri(simulatorUrl, $"store/{shopDomain.Split('.')[0]}/apps/{ApiKey}"));
        return new Uri(System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(admin, "<iframe[^>]*src=\"([^\"]+)\"").Groups[1].Value));
    }

    /// <summary>Creates the shop in the simulator with its generated data and opens WinBack from its admin, which installs
    /// it (the first sync is queued in Hangfire, which tests do not run: <see cref="RunJobAsync{TJob}"/> runs it).</summary>
    public async Task<(WinBack.ShopifySimulator.Store.SimulatedShop Simulated, long ShopId)> InstallShopAsync(WinBack.ShopifySimulator.Admin.ShopLifecycle.NewShop newShop)
    {
        var simulator = _simulator ?? throw new InvalidOperationException("This app was started without a simulator.");
        var simulated = WinBack.ShopifySimulator.Admin.ShopLifecycle.CreateAndInstall(simulator.Runtime, newShop);
        var opened = await OpenFromAdminAsync(simulator.BaseUrl, newShop.Domain);
        if (!opened.IsSuccessStatusCode) throw new InvalidOperationException($"Opening WinBack for {newShop.Domain} answered {(int)opened.StatusCode}.");
        await using var db = CreateDbContext();
        return (simulated, await db.Shops.Where(s => s.Domain == newShop.Domain).Select(s => s.Id).SingleAsync());
    }

    /// <summary>Installs the shop (<see cref="InstallShopAsync"/>) and runs its first sync to the end.</summary>
    public async Task<(WinBack.ShopifySimulator.Store.SimulatedShop Simulated, long ShopId)> SyncShopAsync(WinBack.ShopifySimulator.Admin.ShopLifecycle.NewShop newShop)
    {
        var installed = await InstallShopAsync(newShop);
        await RunSyncAsync(installed.ShopId);
        return installed;
    }

    /// <summary>Runs the shop's full sync (<see cref="WinBack.Web.Sync.InitialSyncJob"/>) to the end, as a Hangfire worker would.</summary>
    public Task RunSyncAsync(long shopId) => RunJobAsync<WinBack.Web.Sync.InitialSyncJob>(job => job.RunAsync(shopId, CancellationToken.None));

    /// <summary>Runs a job class as a Hangfire worker would, in its own scope.</summary>
    public async Task RunJobAsync<TJob>(Func<TJob, Task> run) where TJob : notnull
    {
        using var scope = Services.CreateScope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }

    /// <summary>Runs a job Hangfire holds (queued, scheduled) as a worker would: its method on the job class, in its own scope.</summary>
    public async Task PerformAsync(Hangfire.Common.Job job)
    {
        using var scope = Services.CreateScope();
        var parameters = job.Method.GetParameters();
        var arguments = job.Args.Select((a, i) => parameters[i].ParameterType == typeof(CancellationToken) ? CancellationToken.None : a).ToArray();
        await (Task)job.Method.Invoke(scope.ServiceProvider.GetRequiredService(job.Type), arguments)!;
    }

    /// <summary>Posts a webhook signed the way Shopify signs it (or with <paramref name="signature"/> instead).</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string topic, string shopDomain, string body, string? webhookId = null, string? signature = null) =>
        CreateClient().SendAsync(WebhookRequest(topic, shopDomain, System.Text.Encoding.UTF8.GetBytes(body), webhookId, signature));

    /// <summary>A webhook delivery as Shopify makes it: every header, signed with the app secret unless a signature is given.</summary>
    public static HttpRequestMessage WebhookRequest(string topic, string shopDomain, byte[] body, string? webhookId = null, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", shopDomain);
        request.Headers.Add("X-Shopify-Webhook-Id", webhookId ?? Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Event-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-API-Version", "2026-01");
        request.Headers.Add("X-Shopify-Hmac-Sha256", signature ?? WinBack.Shopify.ShopifyHmac.SignWebhook(ApiSecret, body));
        return request;
    }

    /// <summary>Runs the webhook job as a Hangfire worker would (tests run no Hangfire server).</summary>
    public async Task ProcessWebhooksAsync()
    {
        using var scope = Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<WinBack.Web.Webhooks.WebhookProcessingJob>().RunPendingAsync(CancellationToken.None);
    }

    /// <summary>What the operator's <c>replay-webhooks</c> command does: the shop's failed deliveries go back in the queue.</summary>
    public async Task<int> ReplayFailedWebhooksAsync(string shopDomain)
    {
        await using var db = CreateDbContext();
        return await WinBack.Web.Webhooks.WebhookReplayCommand.ReplayAsync(db, shopDomain, CancellationToken.None);
    }

    /// <summary>A client of the app's API signed in as the shop's merchant (a session token as App Bridge would mint it).</summary>
    public HttpClient CreateClientFor(string shopDomain)
    {
        var client = CreateClient();
        var now = _clock?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        var token = WinBack.ShopifySimulator.OAuth.SessionTokens.Mint(shopDomain, ApiKey, ApiSecret, now, TimeSpan.FromMinutes(5));
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>What Hangfire is doing now, for a wait that ran out: counts, and the failed, scheduled (retries) and processing jobs with reasons.</summary>
    public string DescribeJobs()
    {
        var monitoring = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        var failed = monitoring.FailedJobs(0, 20).Select(j => $"failed {j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name}: {j.Value.ExceptionType}: {j.Value.ExceptionMessage}");
        var scheduled = monitoring.ScheduledJobs(0, 20).Select(j => $"scheduled {j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name} for {j.Value.EnqueueAt:O}: " +
            string.Join(" / ", monitoring.JobDetails(j.Key).History.Select(h => $"{h.StateName} {h.Reason}")));
        var processing = monitoring.ProcessingJobs(0, 20).Select(j => $"processing {j.Value.Job?.Type.Name}.{j.Value.Job?.Method.Name} since {j.Value.StartedAt:O}");
        var queues = monitoring.Queues().Select(q => $"queue {q.Name}: {q.Length} waiting, {q.Fetched} fetched");
        var counts = monitoring.GetStatistics();
        return $"enqueued {counts.Enqueued}, scheduled {counts.Scheduled}, processing {counts.Processing}, failed {counts.Failed}, servers {counts.Servers}; " +
               string.Join("; ", queues.Concat(failed).Concat(scheduled).Concat(processing));
    }

    /// <summary>
    /// Whether, within <paramref name="within"/>, some session of this app's database is blocked on a lock: how a test of a
    /// race knows its second transaction is waiting on the first (not merely slow to start) before the first commits.
    /// </summary>
    public async Task<bool> SomeoneWaitsOnALockAsync(TimeSpan within)
    {
        for (var waited = TimeSpan.Zero; waited < within; waited += TimeSpan.FromMilliseconds(50))
        {
            await using var db = CreateDbContext();
            if (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync() > 0)
                return true;
            await Task.Delay(50);
        }
        return false;
    }

    public WinBackDbContext CreateDbContext() => Services.CreateScope().ServiceProvider.GetRequiredService<WinBackDbContext>();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_simulator is not null) await _simulator.DisposeAsync();
        // A stopped private server (a fault test) has nothing left to drop.
        try { await _server.DropDatabaseAsync(ConnectionString); }
        catch (Npgsql.NpgsqlException) when (_server.IsPrivate) { }
    }
}
