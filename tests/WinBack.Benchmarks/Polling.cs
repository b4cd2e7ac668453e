using System.Diagnostics;

namespace WinBack.Benchmarks;

/// <summary>Waiting for something the benchmark cannot be told of (a server, a job, autovacuum) by asking again and again.</summary>
internal static class Polling
{
    /// <summary>Asks <paramref name="condition"/> every <paramref name="pause"/> until it holds (true) or <paramref name="limit"/> has passed (false).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, TimeSpan pause)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > limit) return false;
            await Task.Delay(pause);
        }
        return true;
    }
}
