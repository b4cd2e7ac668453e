using System.Diagnostics;
using WinBack.SheetsSimulator;

namespace WinBack.Web.Tests.Deployment;

/// <summary>
/// docker-compose.yml against the app itself: each WinBack service's environment passes every check the app makes of
/// its settings at start (the app's own <c>check-settings</c> command, so a new required setting is checked here too),
/// as the container would run it: in Production, with the files its volumes hold.
/// </summary>
public sealed class ComposeFileTests : IDisposable
{
    private readonly string _volumes = Directory.CreateTempSubdirectory("winback-compose-").FullName;
    private readonly ComposeFile _compose = ComposeFile.Load();

    [Fact]
    public async Task Every_winback_service_sets_every_setting_the_app_checks_at_start()
    {
        var services = _compose.ServicesOfImage("winback").ToList();
        services.Should().Contain(["migrate", "web", "jobs"]);
        foreach (var service in services)
        {
            var run = await CheckSettingsAsync(EnvironmentOf(service));
            run.ExitCode.Should().Be(0, $"the {service} service must start; check-settings said:\n{run.Output}");
        }
    }

    [Fact]
    public async Task The_check_names_a_required_setting_a_service_leaves_out()
    {
        var environment = EnvironmentOf("web");
        environment.Remove("Smtp__Host").Should().BeTrue("the compose file sets the mail server");

        var run = await CheckSettingsAsync(environment);

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("Set Smtp:Host");
    }

    [Fact]
    public async Task The_check_names_job_and_sheet_settings_out_of_range()
    {
        var environment = EnvironmentOf("jobs");
        environment["Jobs__WebhookWorkers"] = "0";
        environment["Sheets__RowsPerWrite"] = "0";

        var run = await CheckSettingsAsync(environment);

        run.ExitCode.Should().NotBe(0);
        run.Output.Should().Contain("Jobs:WebhookWorkers is between 1 and 100.").And.Contain("Sheets:RowsPerWrite is between 1 and 100000.");
    }

    [Fact]
    public void Web_processes_leave_the_jobs_to_the_job_server()
    {
        EnvironmentOf("web")["Jobs__RunServer"].Should().Be("false");
        EnvironmentOf("jobs")["Jobs__RunServer"].Should().Be("true");
        _compose.Environment("web")["ShopifyApp__AppBridgeUrl"].Should().StartWith("http://localhost:", "a browser on the host loads App Bridge");
    }

    [DockerComposeFact]
    public async Task Docker_compose_accepts_the_file()
    {
        var (exitCode, output) = await RunAsync("docker", "compose", "-f", ComposeFile.Path, "config", "--quiet");
        exitCode.Should().Be(0, output);
    }

    /// <summary>The service's environment as its container sees it: Production unless it says otherwise, and paths inside
    /// its named volumes pointing at this test's copy of them, the Sheets simulator's key file made there as it makes it.</summary>
    private Dictionary<string, string> EnvironmentOf(string service)
    {
        MakeSheetsSimulatorKeyFile();
        var environment = _compose.Environment(service);
        environment.TryAdd("ASPNETCORE_ENVIRONMENT", "Production");
        foreach (var (name, value) in environment.ToList()) environment[name] = OnHost(service, value);
        return environment;
    }

    private void MakeSheetsSimulatorKeyFile()
    {
        var path = OnHost("sheets-simulator", _compose.Environment("sheets-simulator")["SheetsSimulator__ServiceAccountKeyFile"]);
        if (!File.Exists(path)) ServiceAccountKeyFile.LoadOrCreate(new SheetsStore(), path, new SheetsSimulatorOptions().ServiceAccountEmail);
    }

    private string OnHost(string service, string value)
    {
        foreach (var (volume, mountedAt) in _compose.Volumes(service))
            if (value.StartsWith(mountedAt.TrimEnd('/') + "/", StringComparison.Ordinal))
                return Path.Combine(_volumes, volume, value[(mountedAt.TrimEnd('/').Length + 1)..]);
        return value;
    }

    private static Task<(int ExitCode, string Output)> CheckSettingsAsync(Dictionary<string, string> environment) =>
        AppServerProcess.RunUntilItExitsAsync(environment, TimeSpan.FromSeconds(60), "check-settings");

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => Directory.Delete(_volumes, recursive: true);
}

/// <summary>A test that needs Docker Compose: skipped, with the reason, where <c>docker compose version</c> does not work.</summary>
public sealed class DockerComposeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            var (exitCode, output) = ComposeFileTests.RunAsync("docker", "compose", "version").GetAwaiter().GetResult();
            return exitCode == 0 ? null : $"`docker compose version` failed here: {output.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "Docker is not installed here (no docker command).";
        }
    });

    public DockerComposeFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }
}
