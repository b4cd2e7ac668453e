using System.Diagnostics;

namespace WinBack.Web.Tests;

/// <summary>
/// The built app run as its own process, the way an operator runs it (start-up checks, commands such as
/// <c>migrate</c>). WebApplicationFactory races its own host disposal when start-up fails, so it cannot observe those.
/// </summary>
public static class AppProcess
{
    /// <summary>Runs the app with the environment and arguments given and waits for it to stop by itself.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilItExitsAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WinBack.Web.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // The app's own appsettings.json (the test folder holds the simulator's too, and either may win the copy).
        start.Environment["ASPNETCORE_CONTENTROOT"] = WebProjectDirectory();
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Jobs__RunServer"] = "false";
        start.Environment["ShopifyApp__ApiKey"] = "key";
        start.Environment["ShopifyApp__ApiSecret"] = "secret";
        start.Environment["ShopifyApp__AppUrl"] = "https://winback.test/";
        // Throwaway databases holding no shop's tokens: the key ring may stay unencrypted, said so explicitly.
        start.Environment["KeyRing__AllowUnencrypted"] = "true";
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The app kept running instead of stopping by itself.");
        }
        return (process.ExitCode, await output + await error);
    }

    private static string WebProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "src", "WinBack.Web");
            if (File.Exists(Path.Combine(project, "WinBack.Web.csproj"))) return project;
        }
        throw new DirectoryNotFoundException("src/WinBack.Web was not found above the test folder.");
    }
}
