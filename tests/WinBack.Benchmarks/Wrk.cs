using System.Diagnostics;
using System.Globalization;

namespace WinBack.Benchmarks;

/// <summary>Runs wrk (Debian package `wrk`) over a list of paths, round robin, and returns its one-line summary with p50 / p95 / p99.</summary>
internal static class Wrk
{
    public static string Run(string what, Uri baseUrl, string bearerToken, IReadOnlyList<string> paths, int connections, int seconds)
    {
        var script = Path.Combine(Path.GetTempPath(), $"winback-wrk-{Guid.NewGuid():N}.lua");
        var list = string.Join(",\n", paths.Select(p => "  \"" + p.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""));
        File.WriteAllText(script, $$"""
            local paths = {
            {{list}}
            }
            local i = 0
            request = function()
              i = i % #paths + 1
              return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer {{bearerToken}}" })
            end
            done = function(summary, latency, requests)
              io.write(string.format("RESULT %d %d %d %.1f %.1f %.1f %.1f\n", summary.requests, summary.errors.status, summary.duration,
                latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
            end
            """);
        try
        {
            using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t2", $"-c{connections}", $"-d{seconds}s", "-s", script, baseUrl.ToString()])
            {
                RedirectStandardOutput = true,
            }) ?? throw new InvalidOperationException("wrk did not start; install it (apt-get install wrk).");
            var output = wrk.StandardOutput.ReadToEnd();
            wrk.WaitForExit();
            var result = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var requests = long.Parse(result[1], CultureInfo.InvariantCulture);
            var seconds_ = long.Parse(result[3], CultureInfo.InvariantCulture) / 1e6;
            return $"report (wrk): {what}, {connections} connections: {requests:N0} requests ({requests / seconds_:N0}/s), {result[2]} non-2xx; " +
                   $"p50 {result[4]} ms, p95 {result[5]} ms, p99 {result[6]} ms, max {result[7]} ms";
        }
        finally
        {
            File.Delete(script);
        }
    }
}
