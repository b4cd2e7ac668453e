using Serilog;
using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Jobs;
using WinBack.Web.Privacy;
using WinBack.Web.Shops;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog((services, logger) => logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services));
builder.Services.AddWinBackDatabase(builder.Configuration);
builder.Services.AddShopifyAdminApi(builder.Configuration);
builder.Services.AddWinBackJobs(builder.Configuration);
builder.Services.AddShopifyApp(builder.Configuration);
builder.Services.AddWebhookProcessing();
builder.Services.AddOrderSync();
builder.Services.AddPrivacyRequests();
builder.Services.AddSessionTokenAuthentication();
builder.Services.AddProblemDetails();

var app = builder.Build();

if (args.Contains("migrate"))
{
    await app.Services.MigrateDatabaseAsync();
    app.Logger.LogInformation("Database migrated");
    return;
}
if (app.Configuration.GetValue<bool>("Database:MigrateOnStartup")) await app.Services.MigrateDatabaseAsync();

app.UseSerilogRequestLogging();
app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.MapInstall();
app.MapWebhooks();
app.MapSessionApi();
app.MapPrivacyApi();
app.MapSyncApi();

app.Run();

public partial class Program;
