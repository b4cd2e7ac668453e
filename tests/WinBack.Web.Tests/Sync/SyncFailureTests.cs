using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using WinBack.ShopifySimulator;
using WinBack.ShopifySimulator.Admin;
using WinBack.Web.Sync;

namespace WinBack.Web.Tests.Sync;

/// <summary>A sync that cannot finish ends in a state the merchant can read and act on, never "Running" forever.</summary>
public sealed class SyncFailureTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    private RunningSimulator _simulator = null!;

    public async Task InitializeAsync() => (_app, _simulator) = await WinBackApp.StartWithSimulatorAsync("sync-failure");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<SyncEndpoints.SyncProgress> ProgressAsync(string shop) =>
        (await _app.CreateClientFor(shop).GetFromJsonAsync<SyncEndpoints.SyncProgress>("/api/sync"))!;

    [Fact]
    public async Task A_token_Shopify_revoked_during_the_first_sync_fails_it_in_words_and_the_next_open_reconnects_and_syncs()
    {
        const string domain = "revoked.myshopify.com";
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop(domain, Orders: 30, Seed: 5));
        lock (simulated.Sync) simulated.Installation!.AccessTokens.Clear();

        await _app.RunSyncAsync(shopId);

        var progress = await ProgressAsync(domain);
        progress.Resources.Should().HaveCount(2).And.OnlyContain(r => r.Status == "Failed");
        progress.Resources.Should().OnlyContain(r => r.Error!.Contains("Open WinBack from your Shopify admin"));
        await using (var db = _app.CreateDbContext())
            (await db.Shops.SingleAsync(s => s.Id == shopId)).NeedsReauthorization.Should().BeTrue();

        (await WinBackApp.OpenFromAdminAsync(_simulator.BaseUrl, domain)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ProgressAsync(domain)).Resources.Should().OnlyContain(r => r.Status == "Queued", "opening the app again gets a new token and queues the sync");

        await _app.RunSyncAsync(shopId);
        (await ProgressAsync(domain)).Resources.Should().OnlyContain(r => r.Status == "Completed");
        await using var check = _app.CreateDbContext();
        (await check.Orders.CountAsync(o => o.ShopId == shopId)).Should().Be(30);
    }

    [Fact]
    public async Task A_failed_sync_can_be_started_again_by_the_merchant()
    {
        const string domain = "again.myshopify.com";
        var (simulated, shopId) = await _app.InstallShopAsync(new ShopLifecycle.NewShop(domain, Orders: 10, Seed: 6));
        lock (simulated.Sync) simulated.Installation!.AccessTokens.Clear();
        await _app.RunSyncAsync(shopId);

        var again = await _app.CreateClientFor(domain).PostAsync("/api/sync", null);

        again.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await ProgressAsync(domain)).Resources.Should().OnlyContain(r => r.Status == "Queued");
    }
}
