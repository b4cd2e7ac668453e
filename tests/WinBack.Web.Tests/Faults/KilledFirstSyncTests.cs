using System.Net;
using Npgsql;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;

namespace WinBack.Web.Tests.Faults;

/// <summary>
/// The app killed (SIGKILL) in the middle of a shop's first import, then started again: Hangfire hands the unfinished
/// job to the restarted server, the sync resumes from its checkpoints with the same export, and the merchant ends up
/// with exactly Shopify's customers and orders, each once, with the right rollups. The app runs as its own process, as
/// in production; the simulator plays Shopify.
/// </summary>
public sealed class KilledFirstSyncTests : IAsyncLifetime
{
    private const string Shop = "killed-sync.myshopify.com";
    private const int Orders = 60_000;
    private readonly int _appPort = PostgresServer.FreePort();
    private RunningSimulator _simulator = null!;
    private Dictionary<string, string> _settings = null!;
    private AppServerProcess? _app;

    public async Task InitializeAsync()
    {
        var appUrl = new Uri($"http://127.0.0.1:{_appPort}/");
        _simulator = await SimulatorHost.StartAsync(o =>
        {
            o.ApiKey = WinBackApp.ApiKey;
            o.ApiSecret = WinBackApp.ApiSecret;
            o.AppUrl = appUrl;
            o.ComplianceWebhookUrl = new Uri(appUrl, "webhooks");
        });
        _settings = AppServerProcess.Settings(await (await PostgresServer.Shared).CreateDatabaseAsync("killed_sync"), appUrl);
        _settings["Database__MigrateOnStartup"] = "true";
        _settings["Shopify__ShopBaseUrl"] = $"{_simulator.BaseUrl}{{shop}}";
        _settings["ShopifyApp__AppBridgeUrl"] = new Uri(_simulator.BaseUrl, "app-bridge.js").ToString();
        _settings["ShopifyApp__AdminFrameOrigins"] = _simulator.BaseUrl.GetLeftPart(UriPartial.Authority);
        _settings["Jobs__RunServer"] = "true";
        // A killed worker's job goes to another server after this (30 min in production): the restarted one takes it here.
        _settings["Jobs__InvisibilityTimeout"] = "00:00:05";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_first_sync_killed_mid_import_resumes_after_a_restart_and_ends_with_every_order_and_customer_once()
    {
        var simulated = ShopLifecycle.CreateAndInstall(_simulator.Runtime, new ShopLifecycle.NewShop(Shop, Orders: Orders, Seed: 21));
        _app = await AppServerProcess.StartAsync(_settings, _appPort);
        (await WinBackApp.OpenFromAdminAsync(_simulator.BaseUrl, Shop)).StatusCode.Should().Be(HttpStatusCode.OK, "opening WinBack installs it and queues the first sync");

        var importing = await WaitForAsync("the orders import to be under way", TimeSpan.FromMinutes(3),
            async () => await OrdersStateAsync() is { Status: "Running", Done: > 0 } state ? state : null);
        _app.Kill();
        var atKill = await OrdersStateAsync();
        atKill!.Status.Should().NotBe("Completed", "the kill must land mid-import ({0} of {1} orders were done when it was decided)", importing.Done, Orders);

        _app = await AppServerProcess.StartAsync(_settings, _appPort);
        await WaitForAsync("both resources to be imported after the restart", TimeSpan.FromMinutes(3),
            async () => await Sql.CountAsync(_settings["ConnectionStrings__WinBack"], "SELECT count(*) FROM sync_states WHERE status = 'Completed'") == 2 ? "done" : null);

        (await OrdersStateAsync())!.BulkOperationId.Should().Be(importing.BulkOperationId, "the sync resumed with the export it had started");
        List<(long Id, int Count, decimal Total)> truth;
        int orders, lineItems;
        lock (simulated.Sync)
        {
            truth = simulated.Customers.Select(c =>
            {
                var qualifying = simulated.QualifyingOrdersOf(c.Id);
                return (c.Id, qualifying.Count, qualifying.Sum(o => o.CurrentTotalPrice));
            }).ToList();
            orders = simulated.Orders.Count;
            lineItems = simulated.Orders.Sum(o => o.LineItems.Count);
        }
        (await Sql.CountAsync(_settings["ConnectionStrings__WinBack"], "SELECT count(*) FROM orders")).Should().Be(orders);
        (await Sql.CountAsync(_settings["ConnectionStrings__WinBack"], "SELECT count(*) FROM order_line_items")).Should().Be(lineItems);
        (await CustomersAsync()).Should().BeEquivalentTo(truth, "every customer once, each order counted once in their rollups");
    }

    private sealed record OrdersState(string Status, long Done, string? BulkOperationId);

    private async Task<OrdersState?> OrdersStateAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status, objects_done, bulk_operation_id FROM sync_states WHERE resource = 'Orders'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new OrdersState(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)) : null;
    }

    private async Task<List<(long Id, int Count, decimal Total)>> CustomersAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, orders_count, total_spent FROM customers", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var customers = new List<(long, int, decimal)>();
        while (await reader.ReadAsync()) customers.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetDecimal(2)));
        return customers;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_settings["ConnectionStrings__WinBack"]);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<T> WaitForAsync<T>(string what, TimeSpan timeout, Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Gave up waiting for {what} after {timeout.TotalSeconds:0} s. The app said:\n{_app?.Output}");
    }
}
