using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WinBack.Web.Sheets;
using WinBack.Web.Tests.Reports;

namespace WinBack.Web.Tests.Sheets;

/// <summary>
/// Google cannot be reached at all (nothing listens where its token and Sheets endpoints are): a run fails with a
/// sentence on the settings page, not as an error only Hangfire's retries see. An outage is nothing the merchant can
/// mend: it never pauses the sync, which tries again at its next run.
/// </summary>
public sealed class UnreachableGoogleTests : IAsyncLifetime
{
    private WinBackApp _app = null!;
    // Bound but never listening: connections to its port are refused, and no other server of the test run can take it.
    private readonly Socket _nowhere = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public async Task InitializeAsync()
    {
        _nowhere.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var nowhere = new Uri($"http://127.0.0.1:{((IPEndPoint)_nowhere.LocalEndPoint!).Port}/");
        using var key = RSA.Create(2048);
        _app = await WinBackApp.StartAsync("sheets-unreachable", settings: new Dictionary<string, string>
        {
            ["Sheets:BaseUrl"] = nowhere.ToString(),
            ["Sheets:TokenUrl"] = new Uri(nowhere, "token").ToString(),
            ["Sheets:ServiceAccountEmail"] = "winback-sync@winback-test.iam.gserviceaccount.com",
            ["Sheets:ServiceAccountPrivateKey"] = key.ExportPkcs8PrivateKeyPem(),
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _nowhere.Dispose();
    }

    [Fact]
    public async Task A_run_that_cannot_reach_google_tells_the_merchant_and_never_pauses_the_sync()
    {
        var shop = await new ReportShop(_app, "cut-off.myshopify.com").Customer(1, "Cora", "Cutoff").Order(1, new DateTime(2026, 8, 1, 12, 0, 0), 40m).SaveAsync();
        long syncId;
        await using (var db = _app.CreateDbContext())
        {
            var sync = new SheetSync { ShopId = shop.ShopId, SpreadsheetId = "sheet-1", TabName = "Win-back", CreatedAt = DateTimeOffset.UtcNow, VerifiedAt = DateTimeOffset.UtcNow };
            db.SheetSyncs.Add(sync);
            await db.SaveChangesAsync();
            syncId = sync.Id;
        }

        for (var run = 0; run < SheetSync.PauseAfterFailures + 1; run++)
            await _app.RunJobAsync<SheetSyncJob>(job => job.RunAsync(shop.ShopId, syncId, CancellationToken.None));

        await using var check = _app.CreateDbContext();
        var after = await check.SheetSyncs.SingleAsync(s => s.Id == syncId);
        after.LastError.Should().Be(new SheetsUnreachableException().Message);
        after.LastSuccessAt.Should().BeNull();
        after.Paused.Should().BeFalse("an outage pauses no sync; each run tries again");
    }
}
