using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace WinBack.SheetsSimulator;

/// <summary>A simulated Google (OAuth token endpoint and Sheets v4) on a free loopback port, for tests and benchmarks.</summary>
public static class SheetsSimulatorHost
{
    public static async Task<RunningSheetsSimulator> StartAsync(Action<SheetsSimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        builder.Services.Configure<SheetsSimulatorOptions>(o => configure?.Invoke(o));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddSingleton<SheetsStore>();
        var app = builder.Build();
        app.MapSheetsSimulator();
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
