using System.Net;
using Microsoft.EntityFrameworkCore;
using WinBack.Web.Webhooks;

namespace WinBack.Web.Tests.Jobs;

/// <summary>ConnectionStrings:Jobs puts Hangfire in a database of its own, apart from the shop data (which can then be distributed by shop).</summary>
public sealed class SeparateJobsDatabaseTests
{
    [Fact]
    public async Task With_a_database_of_its_own_Hangfire_runs_the_apps_jobs_and_leaves_no_table_in_WinBacks()
    {
        var server = await PostgresServer.Shared;
        var jobsDatabase = await server.CreateDatabaseAsync("jobs");
        try
        {
            await using var app = await WinBackApp.StartAsync("apart", settings: new Dictionary<string, string>
            {
                ["ConnectionStrings:Jobs"] = jobsDatabase,
                ["Jobs:RunServer"] = "true",
            });

            (await app.PostWebhookAsync("app/uninstalled", "apart.myshopify.com", """{"myshopify_domain":"apart.myshopify.com"}""")).EnsureSuccessStatusCode();

            var status = WebhookReceiptStatus.Received;
            // Generous: this host starts its Hangfire servers while the other test classes load both cores.
            for (var deadline = DateTime.UtcNow.AddSeconds(90); status == WebhookReceiptStatus.Received && DateTime.UtcNow < deadline; await Task.Delay(200))
            {
                await using var db = app.CreateDbContext();
                status = await db.WebhookReceipts.Where(r => r.ShopDomain == "apart.myshopify.com").Select(r => r.Status).SingleAsync();
            }
            status.Should().Be(WebhookReceiptStatus.Processed, $"a Hangfire worker on the jobs database applied it (Hangfire: {app.DescribeJobs()})");
            (await Sql.CountAsync(jobsDatabase, $"SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%{nameof(WebhookProcessingJob)}%'")).Should().BeGreaterThan(0);
            (await Sql.CountAsync(app.ConnectionString, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'hangfire'")).Should().Be(0,
                "WinBack's own database holds shop data only");
            (await app.CreateClient().GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK, "readiness checks Hangfire where it is");
        }
        finally
        {
            await server.DropDatabaseAsync(jobsDatabase);
        }
    }
}
