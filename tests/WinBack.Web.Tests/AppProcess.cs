using WinBack.Testing;

namespace WinBack.Web.Tests;

/// <summary>
/// The built app run as its own process, the way an operator runs it (start-up checks, commands such as
/// <c>migrate</c>). WebApplicationFactory races its own host disposal when start-up fails, so it cannot observe those.
/// </summary>
public static class AppProcess
{
    /// <summary>Runs the app with the environment and arguments given and waits for it to stop by itself.</summary>
    public static Task<(int ExitCode, string Output)> RunUntilItExitsAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var settings = new Dictionary<string, string>
        {
            ["Jobs__RunServer"] = "false",
            ["ShopifyApp__ApiKey"] = "key",
            ["ShopifyApp__ApiSecret"] = "secret",
            ["ShopifyApp__AppUrl"] = "https://winback.test/",
            // Throwaway databases holding no shop's tokens: the key ring may stay unencrypted, said so explicitly.
            ["KeyRing__AllowUnencrypted"] = "true",
        };
        foreach (var (name, value) in environment) settings[name] = value;
        return AppServerProcess.RunUntilItExitsAsync(settings, TimeSpan.FromSeconds(60), arguments);
    }
}
