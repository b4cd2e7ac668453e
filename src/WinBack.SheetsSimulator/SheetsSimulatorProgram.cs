using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WinBack.SheetsSimulator;

/// <summary>Runs the simulated Google on its own (local demo, compose stack): <c>--urls</c> and the SheetsSimulator section as usual.</summary>
public static class SheetsSimulatorProgram
{
    public static async Task Main(string[] args)
    {
        // One line per request at most: ASP.NET's own request lines only when asked for (a later argument wins).
        var app = SheetsSimulatorHost.Build(["--Logging:LogLevel:Microsoft.AspNetCore=Warning", .. args]);
        var options = app.Services.GetRequiredService<IOptions<SheetsSimulatorOptions>>().Value;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var accounts = app.Services.GetRequiredService<SheetsStore>().ServiceAccountEmails();
            app.Logger.LogInformation("Simulated Google Sheets at {Url}; service accounts: {Accounts}; key file: {KeyFile}",
                app.Urls.FirstOrDefault(), accounts.Count == 0 ? "none" : string.Join(", ", accounts), options.ServiceAccountKeyFile ?? "none");
        });
        await app.RunAsync();
    }
}
