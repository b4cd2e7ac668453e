using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WinBack.SheetsSimulator;

/// <summary>A simulated Google (OAuth token endpoint and Sheets v4) with pages to look at its spreadsheets, for the demo, tests and benchmarks.</summary>
public static class SheetsSimulatorHost
{
    /// <summary>The simulator as a web app; options from the "SheetsSimulator" section, then <paramref name="configure"/>.
    /// A configured key file's account is registered (the file written first when it is missing).</summary>
    public static WebApplication Build(string[] args, Action<SheetsSimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddOptions<SheetsSimulatorOptions>().Bind(builder.Configuration.GetSection(SheetsSimulatorOptions.SectionName)).Configure(o => configure?.Invoke(o));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<SheetsStore>();
        var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<SheetsSimulatorOptions>>().Value;
        if (!string.IsNullOrEmpty(options.ServiceAccountKeyFile))
            ServiceAccountKeyFile.LoadOrCreate(app.Services.GetRequiredService<SheetsStore>(), options.ServiceAccountKeyFile, options.ServiceAccountEmail);
        app.MapSheetsSimulator();
        app.MapSpreadsheetPages();
        return app;
    }

    /// <summary>Starts a simulator on a free loopback port (tests, benchmarks).</summary>
    public static async Task<RunningSheetsSimulator> StartAsync(Action<SheetsSimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var app = Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"], configure, time);
        await app.StartAsync();
        return new RunningSheetsSimulator(app);
    }
}

public sealed class RunningSheetsSimulator(WebApplication app) : IAsyncDisposable
{
    public Uri BaseUrl { get; } = new(app.Urls.First().TrimEnd('/') + "/");
    public Uri TokenUrl => new(BaseUrl, "token");
    public SheetsStore Store => app.Services.GetRequiredService<SheetsStore>();
    public SheetsSimulatorOptions Options => app.Services.GetRequiredService<IOptions<SheetsSimulatorOptions>>().Value;

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
