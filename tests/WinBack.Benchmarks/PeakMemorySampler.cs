using System.Diagnostics;

namespace WinBack.Benchmarks;

/// <summary>The highest working set of this process, sampled every 50 ms until stopped.</summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public PeakMemorySampler() => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            var process = Process.GetCurrentProcess();
            _peak = Math.Max(_peak, process.WorkingSet64);
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
