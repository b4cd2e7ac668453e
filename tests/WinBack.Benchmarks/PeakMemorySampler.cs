using System.Diagnostics;

namespace WinBack.Benchmarks;

/// <summary>
/// The highest working set of this process, sampled every 50 ms until stopped, and beside it the highest size of the
/// managed heap (live objects and garbage not yet collected): the first is what the machine gives, the second tells how
/// much of it the collector held.
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    /// <summary>The highest managed heap size seen (valid after <see cref="Stop"/>).</summary>
    public long PeakHeap { get; private set; }

    public PeakMemorySampler() => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            var process = Process.GetCurrentProcess();
            _peak = Math.Max(_peak, process.WorkingSet64);
            PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(forceFullCollection: false));
            try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
        }
    });

    public long Stop()
    {
        _stop.Cancel();
        _loop.Wait();
        return _peak;
    }

    public void Dispose() => _stop.Dispose();
}
