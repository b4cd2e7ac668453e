using System.Diagnostics;
using System.Text;

namespace WinBack.Testing;

/// <summary>
/// The built app (WinBack.Web.dll beside the caller's binaries) run as its own process, the way an operator runs it:
/// a command that stops by itself (<c>migrate</c>), or a server on a loopback port that runs until it is stopped or
/// killed. Its output is kept, for the caller to show when something went wrong.
/// </summary>
public sealed class AppServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppServerProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// What every test or benchmark run of the app sets: its database, the app's Shopify credentials (those
    /// <see cref="WinBackApp"/> signs with), mail to <paramref name="smtpPort"/> on loopback, warnings only in the log.
    /// </summary>
    public static Dictionary<string, string> Settings(string connectionString, Uri appUrl, int smtpPort = 9) => new()
    {
        ["ConnectionStrings__WinBack"] = connectionString,
        ["ShopifyApp__ApiKey"] = WinBackApp.ApiKey,
        ["ShopifyApp__ApiSecret"] = WinBackApp.ApiSecret,
        ["ShopifyApp__AppUrl"] = appUrl.ToString(),
        // Throwaway databases holding only simulated shops' tokens: the key ring may stay unencrypted, said so explicitly.
        ["KeyRing__AllowUnencrypted"] = "true",
        ["Smtp__Host"] = "127.0.0.1",
        ["Smtp__Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp__Security"] = "None",
        ["Smtp__From"] = "WinBack <digest@winback.test>",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    };

    /// <summary>Runs the app with the environment and arguments given and waits for it to stop by itself.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilItExitsAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The app kept running instead of stopping by itself.");
        }
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Starts the app listening on <paramref name="port"/> and returns once it answers /healthz.</summary>
    public static async Task<AppServerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, int port)
    {
        var url = new Uri($"http://127.0.0.1:{port}/");
        var start = StartInfo(environment, []);
        start.Environment["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority);
        var app = new AppServerProcess(new Process { StartInfo = start }, url);
        app._process.OutputDataReceived += (_, e) => app.Append(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !app.HasExited)
        {
            try
            {
                using var health = await http.GetAsync(new Uri(url, "healthz"));
                if (health.IsSuccessStatusCode) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await app.DisposeAsync();
        throw new InvalidOperationException($"The app on port {port} did not answer /healthz within 60 s:\n{app.Output}");
    }

    /// <summary>SIGKILL: the process ends at once, mid-statement, mid-job, with no shutdown of any kind.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WinBack.Web.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // The app's own appsettings.json (the caller's folder holds the simulator's too, and either may win the copy).
        start.Environment["ASPNETCORE_CONTENTROOT"] = WebProjectDirectory();
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    private static string WebProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "src", "WinBack.Web");
            if (File.Exists(Path.Combine(project, "WinBack.Web.csproj"))) return project;
        }
        throw new DirectoryNotFoundException("src/WinBack.Web was not found above the caller's folder.");
    }
}
