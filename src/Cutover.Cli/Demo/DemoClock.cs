namespace Cutover.Cli.Demo;

/// <summary>
/// The demo's time: the wall clock (<see cref="GetUtcNow"/>) is real time plus an offset the demo moves forward a
/// look at a time, so decision timestamps, rollups, health windows and soaks see a week go by in a minute.
/// Timestamps and timers stay real (the base class's), so upstream latencies and timeouts are real ones, and the
/// background rollout controller, whose interval is simulated minutes, does not tick during the run.
/// </summary>
internal sealed class DemoClock : TimeProvider
{
    private long _offsetTicks;

    /// <summary>How far simulated time is ahead of real time.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
