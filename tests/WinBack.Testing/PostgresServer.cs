using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace WinBack.Testing;

/// <summary>
/// A real PostgreSQL server for the test run. WINBACK_TEST_POSTGRES (a connection string to a server where we may
/// create databases) wins; otherwise a throwaway cluster is made with the machine's initdb / pg_ctl on a free
/// loopback port, run as the postgres user when we are root, and removed by a watchdog when the test process ends.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartSharedAsync);
    // This process's clusters: a private one stopped for a while by its test is not abandoned.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> OwnClusters = new();
    private readonly string _adminConnectionString;
    private readonly Cluster? _cluster;

    private PostgresServer(string adminConnectionString, Cluster? cluster = null)
    {
        _adminConnectionString = adminConnectionString;
        _cluster = cluster;
    }

    /// <summary>The cluster's binaries and folder, so a private one can be stopped and started again.</summary>
    private sealed record Cluster(string PgCtl, string Directory, int Port, bool AsRoot)
    {
        public string StartArguments =>
            $"-D {Directory}/data -l {Directory}/server.log -w -o \"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start";
    }

    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>A cluster of one test's own (which that test may have stopped).</summary>
    public bool IsPrivate { get; private init; }

    /// <summary>
    /// A throwaway cluster of the caller's own (never the shared one, nor WINBACK_TEST_POSTGRES), for a test that stops
    /// and starts PostgreSQL under the app (<see cref="StopAsync"/>, <see cref="StartAgainAsync"/>).
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var server = await StartClusterAsync();
        return new PostgresServer(server._adminConnectionString, server._cluster) { IsPrivate = true };
    }

    /// <summary>The server goes down (a fast shutdown: sessions are ended, connections refused until <see cref="StartAgainAsync"/>).</summary>
    public Task StopAsync()
    {
        var cluster = _cluster ?? throw new InvalidOperationException("Only a private cluster can be stopped.");
        return RunAsync(cluster.PgCtl, $"-D {cluster.Directory}/data -m fast -w stop", cluster.AsRoot);
    }

    /// <summary>The server comes back on the same port with the same data.</summary>
    public Task StartAgainAsync()
    {
        var cluster = _cluster ?? throw new InvalidOperationException("Only a private cluster can be started again.");
        return RunAsync(cluster.PgCtl, cluster.StartArguments, cluster.AsRoot);
    }

    /// <summary>A new, empty database: each test class gets its own, so no test sees another's rows.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Drops a test's database once its app is gone, ending any session still open on it. Each app has its own database
    /// and so its own Npgsql pool, which outlives the host: without this, the idle connections of a few hundred finished
    /// tests would use up the server's connection slots.
    /// </summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static Task<PostgresServer> StartSharedAsync() =>
        Environment.GetEnvironmentVariable("WINBACK_TEST_POSTGRES") is { Length: > 0 } given
            ? Task.FromResult(new PostgresServer(given))
            : StartClusterAsync();

    private static async Task<PostgresServer> StartClusterAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql: install the 'postgresql' package (scripts/test.sh does).");

        RemoveAbandonedClusters();
        var directory = Path.Combine(Path.GetTempPath(), $"winback-pg-{Guid.NewGuid():N}");
        OwnClusters[directory] = true;
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", $"postgres:postgres {directory}", false);

        var cluster = new Cluster(Path.Combine(bin, "pg_ctl"), directory, FreePort(), asRoot);
        await RunAsync(Path.Combine(bin, "initdb"), $"-D {directory}/data -A trust -U postgres -N --encoding=UTF8 --locale=C.UTF-8", asRoot);
        await RunAsync(cluster.PgCtl, cluster.StartArguments, asRoot);

        StartWatchdog(cluster.PgCtl, directory, asRoot);
        return new PostgresServer($"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true", cluster);
    }

    /// <summary>
    /// A detached shell that waits for this process to end, however it ends (a test host is often killed rather than
    /// allowed to run exit handlers), then stops the cluster and removes its folder.
    /// </summary>
    private static void StartWatchdog(string pgCtl, string directory, bool asRoot)
    {
        var stop = $"{(asRoot ? "runuser -u postgres -- " : "")}{pgCtl} -D {directory}/data -m immediate stop";
        // exec first lets go of the test run's output pipes, so nothing waits on the watchdog.
        var script = $"exec >/dev/null 2>&1 </dev/null; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {directory}";
        using var watchdog = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", script]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start the watchdog that removes the test cluster.");
    }

    /// <summary>A folder whose server is gone (a machine restarted mid-run) is removed by the next run.</summary>
    private static void RemoveAbandonedClusters()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), "winback-pg-*"))
        {
            if (OwnClusters.ContainsKey(folder)) continue;
            var pidFile = Path.Combine(folder, "data", "postmaster.pid");
            var running = File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                && Directory.Exists($"/proc/{pid}");
            if (running) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task RunAsync(string program, string arguments, bool asPostgresUser)
    {
        var start = asPostgresUser
            ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}");
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    private static int _nextPort = 20_000 + Random.Shared.Next(12_000);

    /// <summary>
    /// A free loopback port below Linux's ephemeral range (32768 and up). A port the kernel hands out for port 0 is an
    /// ephemeral one, which any outgoing connection (to PostgreSQL, to the simulator) may take before the test binds it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = 20_000 + (Interlocked.Increment(ref _nextPort) - 20_000) % 12_000;
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
                // taken by another test run: try the next one
            }
        }
        throw new InvalidOperationException("No free loopback port between 20000 and 32000.");
    }
}
