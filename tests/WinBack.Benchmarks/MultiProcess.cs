using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using WinBack.Testing;
using WinBack.Web.Digests;

namespace WinBack.Benchmarks;

/// <summary>
/// Several servers, one database: two web processes (Jobs:RunServer=false) and two job servers of the built app on one
/// PostgreSQL. Order webhooks for 50 shops go round-robin to both web processes while one digest hour of 200 shops is
/// dispatched; one job server is killed with SIGKILL mid-run. Checks: every accepted order is in its shop's orders,
/// every digest reached the mail server exactly once, and every job the killed server held was finished by the other.
/// </summary>
public static class MultiProcess
{
    private const int Shops = 200;
    private const int WebhookShops = 50;
    private const int CustomersPerShop = 20;
    private const int SeededOrdersPerShop = 60;
    private const long FirstWebhookOrderId = 1_000_000;
    private const int Senders = 16;

    // How long a vanished worker keeps its job before another server takes it (Jobs:InvisibilityTimeout, 30 min in production),
    // and when an attempt that never recorded its end counts as not accepted (Outbox:UnconfirmedAfter, 30 min): both short
    // here, so the run shows the hand-over instead of waiting half an hour.
    private static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnconfirmedAfter = TimeSpan.FromSeconds(20);
    // The dispatcher's cron is every 15 minutes; the benchmark triggers it this often instead.
    private static readonly TimeSpan DispatchEvery = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var webhooks = Options.Int(args, "--webhooks", 20_000);
        using var smtp = await SmtpSink.StartAsync();
        var connectionString = await (await PostgresServer.Shared).CreateDatabaseAsync("bench_multi");
        var environment = Environment(connectionString, smtp.Port);

        var migrate = await AppServerProcess.RunUntilItExitsAsync(environment, TimeSpan.FromMinutes(2), "migrate");
        if (migrate.ExitCode != 0) return Fail($"migrate failed ({migrate.ExitCode}):\n{migrate.Output}");

        await using var data = NpgsqlDataSource.Create(connectionString);
        var shopIds = await SeedAsync(data);
        Console.WriteLine($"multi-process: migrated once, seeded {Shops} shops ({CustomersPerShop} customers, {SeededOrdersPerShop} orders each), digests due this hour");

        var servers = new List<AppServerProcess>();
        try
        {
            var jobServers = new[] { await StartAsync(servers, environment, runJobs: true), await StartAsync(servers, environment, runJobs: true) };
            var web = new[] { await StartAsync(servers, environment, runJobs: false), await StartAsync(servers, environment, runJobs: false) };
            var (killed, survivor) = (jobServers[0], jobServers[1]);
            Console.WriteLine($"multi-process: web processes {web[0].Id}, {web[1].Id}; job servers {killed.Id}, {survivor.Id} " +
                              $"(Jobs:InvisibilityTimeout {InvisibilityTimeout.TotalSeconds:0} s, Outbox:UnconfirmedAfter {UnconfirmedAfter.TotalSeconds:0} s)");

            // The same serializer settings as the app's, for the dispatcher runs this process triggers.
            GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, new PostgreSqlStorageOptions { SchemaName = "hangfire" }),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false });
            var recurring = new RecurringJobManager(storage);
            await WaitForAsync("the job servers to register the recurring jobs", TimeSpan.FromSeconds(60),
                () =>
                {
                    using var connection = storage.GetConnection();
                    return Task.FromResult(connection.GetAllEntriesFromHash($"recurring-job:{DigestDispatcher.RecurringId}") is not null);
                });

            var run = Stopwatch.StartNew();
            var sending = SendWebhooksAsync(web, shopIds.Take(WebhookShops).ToList(), webhooks);
            await WaitForAsync("a quarter of the webhooks to be sent", TimeSpan.FromMinutes(2), () => Task.FromResult(sending.Sent >= webhooks / 4));
            recurring.Trigger(DigestDispatcher.RecurringId);
            var dispatched = run.Elapsed;

            await WaitForAsync("the first 40 digests to be sent", TimeSpan.FromMinutes(2), async () => await ScalarAsync(data, SentDigests) >= 40);
            var lastStateBeforeKill = await ScalarAsync(data, "SELECT coalesce(max(id), 0) FROM hangfire.state");
            var killAfter = run.Elapsed;
            var sentBeforeKill = await ScalarAsync(data, SentDigests);
            killed.Kill();
            Console.WriteLine($"multi-process: killed job server {killed.Id} (SIGKILL) at {killAfter.TotalSeconds:0.0} s, " +
                              $"{sending.Sent:N0} webhooks sent, {sentBeforeKill} digests sent");

            var failures = await sending.Completion;
            var sentIn = sending.Elapsed;
            var heldByKilled = await JobsHeldAsync(data, killed.Id, lastStateBeforeKill);
            Console.WriteLine($"multi-process: {webhooks:N0} webhooks sent to 2 web processes in {sentIn.TotalSeconds:0.0} s " +
                              $"({webhooks / sentIn.TotalSeconds:N0} accepted/s, {Senders} senders), {failures} refused; " +
                              $"the killed server held {heldByKilled.Count} jobs ({string.Join(", ", heldByKilled.GroupBy(j => j.Job).Select(g => $"{g.Count()} {g.Key}"))})");

            var lastDispatch = run.Elapsed;
            TimeSpan? applied = null, digestsSent = null, takenOver = null;
            await WaitForAsync("every webhook applied, every digest sent and the killed server's jobs finished", TimeSpan.FromMinutes(5), async () =>
            {
                if (run.Elapsed - lastDispatch >= DispatchEvery)
                {
                    recurring.Trigger(DigestDispatcher.RecurringId);
                    lastDispatch = run.Elapsed;
                }
                applied ??= await ScalarAsync(data, "SELECT count(*) FROM webhook_receipts WHERE status <> 'Processed'") == 0 ? run.Elapsed : null;
                digestsSent ??= await ScalarAsync(data, SentDigests) == Shops ? run.Elapsed : null;
                takenOver ??= (await JobStatesAsync(data, heldByKilled, lastStateBeforeKill)).All(s => s.State == "Succeeded") ? run.Elapsed : null;
                return applied is not null && digestsSent is not null && takenOver is not null;
            });

            var finished = await JobStatesAsync(data, heldByKilled, lastStateBeforeKill);
            var missing = sending.Accepted.Except(await OrdersPostedByWebhookAsync(data)).Count();
            var messages = smtp.Messages();
            var distinct = messages.Select(m => m.Message.MessageId).Distinct().Count();
            var recipients = messages.SelectMany(m => m.EnvelopeRecipients).Distinct().Count();
            var finishedElsewhere = finished.Count(f => f.State == "Succeeded" && !f.Server.Contains($":{killed.Id}:", StringComparison.Ordinal));

            Console.WriteLine($"multi-process: all {webhooks:N0} deliveries applied at {applied!.Value.TotalSeconds:0.0} s (sending started at 0 s); " +
                              $"digests dispatched at {dispatched.TotalSeconds:0.0} s, all {Shops} Sent at {digestsSent!.Value.TotalSeconds:0.0} s");
            Console.WriteLine($"multi-process: orders missing from the orders table: {missing} of {sending.Accepted.Count:N0} accepted");
            Console.WriteLine($"multi-process: digests: {await ScalarAsync(data, SentDigests)} Sent in the outbox; smtp-sink received {messages.Count} messages, " +
                              $"{distinct} distinct Message-Ids, {recipients} distinct recipients; duplicates {messages.Count - distinct}");
            Console.WriteLine($"multi-process: the {heldByKilled.Count} jobs the killed server held were finished by the other server: " +
                              $"{finishedElsewhere} of {heldByKilled.Count}; picked up again {Range(finished.Select(f => f.PickedUpAfter))} s after the kill, " +
                              $"finished {Range(finished.Select(f => f.FinishedAfter))} s after it (all seen done {(takenOver!.Value - killAfter).TotalSeconds:0.0} s after it)");
            foreach (var group in heldByKilled.Join(finished, h => h.Id, f => f.Id, (h, f) => (h.Job, f)).GroupBy(j => j.Job))
                Console.WriteLine($"multi-process:   {group.Key}: {group.Count()}, picked up again {Range(group.Select(g => g.f.PickedUpAfter))} s, finished {Range(group.Select(g => g.f.FinishedAfter))} s after the kill");

            var ok = failures == 0 && missing == 0 && messages.Count == Shops && distinct == Shops && recipients == Shops && finishedElsewhere == heldByKilled.Count;
            if (!ok) Console.Error.WriteLine($"multi-process: FAILED. Survivor's log:\n{survivor.Output}");
            return ok ? 0 : 1;
        }
        catch (TimeoutException e)
        {
            foreach (var server in servers) Console.Error.WriteLine($"--- process {server.Id} ---\n{server.Output}");
            return Fail(e.Message);
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    private const string SentDigests = "SELECT count(*) FROM digest_deliveries WHERE kind = 'weekly-digest' AND status = 'Sent'";

    private static Dictionary<string, string> Environment(string connectionString, int smtpPort)
    {
        var settings = AppServerProcess.Settings(connectionString, new Uri("https://winback.test/"), smtpPort);
        // No shop here has a token: anything that would call Shopify goes to a closed loopback port.
        settings["Shopify__ShopBaseUrl"] = "http://127.0.0.1:9/{shop}";
        settings["Jobs__InvisibilityTimeout"] = InvisibilityTimeout.ToString();
        settings["Outbox__UnconfirmedAfter"] = UnconfirmedAfter.ToString();
        return settings;
    }

    private static async Task<AppServerProcess> StartAsync(List<AppServerProcess> servers, Dictionary<string, string> environment, bool runJobs)
    {
        var server = await AppServerProcess.StartAsync(new Dictionary<string, string>(environment) { ["Jobs__RunServer"] = runJobs ? "true" : "false" }, PostgresServer.FreePort());
        servers.Add(server);
        return server;
    }

    /// <summary>Shops whose digest is due this very hour (its day and hour are now in the shop's timezone), with a few customers and orders.</summary>
    private static async Task<List<long>> SeedAsync(NpgsqlDataSource data)
    {
        await using var seed = data.CreateCommand($"""
            INSERT INTO shops (domain, name, currency_code, iana_timezone, scopes, installed_at, needs_reauthorization)
            SELECT 'multi-' || s || '.myshopify.com', 'Multi shop ' || s, 'USD',
                   (ARRAY['America/New_York','Europe/Berlin','Asia/Tokyo','Australia/Sydney'])[1 + s % 4], 'read_customers,read_orders', now(), false
            FROM generate_series(1, {Shops}) s;
            INSERT INTO digest_settings (shop_id, enabled, recipients, day, hour, attach_csv, updated_at)
            SELECT id, true, ARRAY['owner@' || split_part(domain, '.', 1) || '.example'],
                   extract(dow FROM now() AT TIME ZONE iana_timezone)::int, extract(hour FROM now() AT TIME ZONE iana_timezone)::int, false, now()
            FROM shops;
            INSERT INTO customers (shop_id, id, first_name, last_name, email, email_marketing_state, created_at, updated_at, orders_count, total_spent)
            SELECT s.id, c, 'Customer', 'No' || c, 'c' || c || '@' || split_part(s.domain, '.', 1) || '.example', 'SUBSCRIBED', now() - interval '400 days', now() - interval '300 days', 0, 0
            FROM shops s CROSS JOIN generate_series(1, {CustomersPerShop}) c;
            INSERT INTO orders (shop_id, id, customer_id, name, processed_at, updated_at, cancelled_at, test, current_total, currency_code)
            SELECT s.id, o, 1 + o % {CustomersPerShop}, '#' || o, now() - (o * 6) * interval '1 day', now(), NULL, false, 10 + o, 'USD'
            FROM shops s CROSS JOIN generate_series(1, {SeededOrdersPerShop}) o;
            -- Seed data only: every seeded order qualifies, so the rollups are plain aggregates.
            UPDATE customers c SET orders_count = o.n, first_order_at = o.first, last_order_at = o.last, total_spent = o.total
            FROM (SELECT shop_id, customer_id, count(*) n, min(processed_at) first, max(processed_at) last, sum(current_total) total
                  FROM orders GROUP BY shop_id, customer_id) o
            WHERE c.shop_id = o.shop_id AND c.id = o.customer_id;
            ANALYZE;
            """);
        await seed.ExecuteNonQueryAsync();
        var ids = new List<long>();
        await using var select = data.CreateCommand("SELECT id FROM shops ORDER BY id");
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private sealed class Sending
    {
        private int _sent;
        public int Sent => Volatile.Read(ref _sent);
        public ConcurrentBag<(long ShopId, long OrderId)> AcceptedBag { get; } = [];
        public HashSet<(long ShopId, long OrderId)> Accepted => [.. AcceptedBag];
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public TimeSpan Elapsed { get; set; }
        public Task<int> Completion { get; set; } = Task.FromResult(0);
        public void Count() => Interlocked.Increment(ref _sent);
    }

    /// <summary>Signed orders/create deliveries, shops round-robin, alternating between the web processes; returns how many were refused.</summary>
    private static Sending SendWebhooksAsync(AppServerProcess[] web, List<long> shopIds, int total)
    {
        var sending = new Sending();
        var clients = web.Select(w => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders }) { BaseAddress = w.Url }).ToArray();
        var refused = 0;
        sending.Completion = Task.Run(async () =>
        {
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
            {
                for (var n = sender; n < total; n += Senders)
                {
                    var shop = n % shopIds.Count;
                    var orderId = FirstWebhookOrderId + n;
                    var body = Encoding.UTF8.GetBytes(WebhookApplyLatency.Order(orderId, 1 + n % CustomersPerShop));
                    using var request = WinBackApp.WebhookRequest("orders/create", $"multi-{shop + 1}.myshopify.com", body);
                    using var response = await clients[n % clients.Length].SendAsync(request);
                    if (response.IsSuccessStatusCode) sending.AcceptedBag.Add((shopIds[shop], orderId));
                    else Interlocked.Increment(ref refused);
                    sending.Count();
                }
            })));
            sending.Elapsed = sending.Clock.Elapsed;
            foreach (var client in clients) client.Dispose();
            return refused;
        });
        return sending;
    }

    private static async Task<HashSet<(long, long)>> OrdersPostedByWebhookAsync(NpgsqlDataSource data)
    {
        var orders = new HashSet<(long, long)>();
        await using var command = data.CreateCommand($"SELECT shop_id, id FROM orders WHERE id >= {FirstWebhookOrderId}");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) orders.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return orders;
    }

    private sealed record HeldJob(long Id, string Job);

    private sealed record JobState(long Id, string State, string Server, double PickedUpAfter, double FinishedAfter);

    /// <summary>Jobs whose latest state up to <paramref name="lastState"/> was Processing on a server of process
    /// <paramref name="processId"/> (Hangfire names them host:pid[:queue]:guid).</summary>
    private static async Task<List<HeldJob>> JobsHeldAsync(NpgsqlDataSource data, int processId, long lastState)
    {
        await using var command = data.CreateCommand("""
            SELECT j.id, coalesce(j.invocationdata::jsonb ->> 't', j.invocationdata::jsonb ->> 'Type')
            FROM hangfire.job j
            JOIN LATERAL (SELECT s.name, s.data FROM hangfire.state s WHERE s.jobid = j.id AND s.id <= $1 ORDER BY s.id DESC LIMIT 1) last ON true
            WHERE last.name = 'Processing' AND last.data::jsonb ->> 'ServerId' LIKE $2
            """);
        command.Parameters.AddWithValue(lastState);
        command.Parameters.AddWithValue($"%:{processId}:%");
        var held = new List<HeldJob>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) held.Add(new HeldJob(reader.GetInt64(0), reader.GetString(1).Split(',')[0].Split('.')[^1]));
        return held;
    }

    /// <summary>Each job's current state; the server that processed it first after state <paramref name="lastState"/> (the kill) and
    /// when, and when it reached its current state, both in seconds after that state was written.</summary>
    private static async Task<List<JobState>> JobStatesAsync(NpgsqlDataSource data, List<HeldJob> jobs, long lastState)
    {
        await using var command = data.CreateCommand("""
            SELECT j.id, j.statename, coalesce(p.data::jsonb ->> 'ServerId', ''),
                   coalesce(extract(epoch FROM p.createdat - k.createdat), -1)::float8, extract(epoch FROM f.createdat - k.createdat)::float8
            FROM hangfire.job j
            CROSS JOIN (SELECT createdat FROM hangfire.state WHERE id = $2) k
            LEFT JOIN LATERAL (SELECT s.data, s.createdat FROM hangfire.state s WHERE s.jobid = j.id AND s.id > $2 AND s.name = 'Processing' ORDER BY s.id LIMIT 1) p ON true
            JOIN hangfire.state f ON f.id = j.stateid
            WHERE j.id = ANY($1)
            """);
        command.Parameters.AddWithValue(jobs.Select(j => j.Id).ToArray());
        command.Parameters.AddWithValue(lastState);
        var states = new List<JobState>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            states.Add(new JobState(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3), reader.GetDouble(4)));
        return states;
    }

    private static string Range(IEnumerable<double> seconds)
    {
        var all = seconds.ToList();
        return all.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{all.Min():0.0}-{all.Max():0.0}");
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task WaitForAsync(string what, TimeSpan timeout, Func<Task<bool>> condition)
    {
        if (!await Polling.UntilAsync(condition, timeout, TimeSpan.FromMilliseconds(200)))
            throw new TimeoutException($"Gave up waiting for {what} after {timeout.TotalSeconds:0} s.");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"multi-process: {message}");
        return 1;
    }
}
