using WinBack.Shopify;
using WinBack.Web.Data;
using WinBack.Web.Digests;
using WinBack.Web.Hosting;
using WinBack.Web.Jobs;
using WinBack.Web.Operations;
using WinBack.Web.Outcomes;
using WinBack.Web.Predictions;
using WinBack.Web.Privacy;
using WinBack.Web.Problems;
using WinBack.Web.Reports;
using WinBack.Web.Settings;
using WinBack.Web.Sheets;
using WinBack.Web.ShopifyTags;
using WinBack.Web.Shops;
using WinBack.Web.Sync;
using WinBack.Web.Webhooks;

if (args is [HealthCheckCommand.Name, ..])
{
    Environment.ExitCode = await HealthCheckCommand.RunAsync(args);
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddWinBackLogging(builder.Configuration);
builder.Services.AddWinBackDatabase(builder.Configuration);
builder.Services.AddShopifyAdminApi(builder.Configuration);
builder.Services.AddWinBackJobs(builder.Configuration);
builder.Services.AddShopifyApp(builder.Configuration);
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddWebhookProcessing(builder.Configuration);
builder.Services.AddOrderSync();
builder.Services.AddPrivacyRequests();
builder.Services.AddReports();
builder.Services.AddPredictions();
builder.Services.AddWinBackOutcomes();
builder.Services.AddReportSettings();
builder.Services.AddShopifyTags(builder.Configuration);
builder.Services.AddDigests(builder.Configuration);
builder.Services.AddGoogleSheets(builder.Configuration);
builder.Services.AddSessionTokenAuthentication();
builder.Services.AddShopRateLimits(builder.Configuration);
builder.Services.AddMerchantProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddOperations();

var app = builder.Build();

if (args is [SettingsCheckCommand.Name, ..])
{
    Environment.ExitCode = SettingsCheckCommand.Run(app.Services);
    return;
}
if (args.Contains("migrate"))
{
    await app.Services.MigrateDatabaseAsync();
    app.Logger.LogInformation("Database migrated");
    return;
}
if (args is [RollupRecomputeCommand.Name, var shopDomain, ..])
{
    Environment.ExitCode = await RollupRecomputeCommand.RunAsync(app.Services, shopDomain);
    return;
}
if (args is [WebhookReplayCommand.ListName or WebhookReplayCommand.ReplayName, ..])
{
    Environment.ExitCode = await WebhookReplayCommand.RunAsync(app.Services, args);
    return;
}
if (app.Configuration.GetValue<bool>("Database:MigrateOnStartup")) await app.Services.MigrateDatabaseAsync();

app.UseForwardedHeaders();
app.UseWinBackRequestLogging();
app.UseEmbeddedPageAssets();
app.UseExceptionHandler();
app.UseAuthentication();
app.UseShopLogContext();
app.UseAuthorization();
app.UseRateLimiter();
app.MapOperations();
app.MapOpenApi();
app.MapInstall();
app.MapWebhooks();
app.MapSessionApi();
app.MapPrivacyApi();
app.MapDataRetentionApi();
app.MapSyncApi();
app.MapReportsApi();
app.MapOutcomesApi();
app.MapPredictionsApi();
app.MapShopifyTagsApi();
app.MapSettingsApi();
app.MapDigestApi();
app.MapSheetsApi();
app.MapJobsDashboard();

app.Run();

public partial class Program;
