namespace WinBack.Testing;

/// <summary>
/// The machine's clock, moved on by hand (a week, for the next weekly refit): the app given it lives that much later, and
/// its timers, delays and caches keep running in real time.
/// </summary>
public sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public void MoveOn(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
