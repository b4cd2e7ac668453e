namespace WinBack.Web.Hosting;

/// <summary>
/// <c>WinBack.Web healthcheck [url]</c>: asks the app running in this container whether it is alive, for Docker's
/// HEALTHCHECK (the ASP.NET runtime image has no curl). Exit code 0 when it answers 2xx, 1 otherwise.
/// </summary>
public static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? new Uri(args[1]) : new Uri($"http://127.0.0.1:{LocalPort()}/healthz");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url);
            if (response.IsSuccessStatusCode) return 0;
            await Console.Error.WriteLineAsync($"{url} answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url} did not answer: {e.Message}");
        }
        return 1;
    }

    /// <summary>The port Kestrel listens on in the container: the image's ASPNETCORE_HTTP_PORTS (8080 by default).</summary>
    private static string LocalPort() =>
        Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "8080";
}
