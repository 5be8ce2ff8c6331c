namespace Cutover.Core.Delivery;

/// <summary>When a <see cref="CircuitBreaker"/> opens and how long it stays open.</summary>
public sealed record CircuitBreakerOptions
{
    public static CircuitBreakerOptions Default { get; } = new();

    /// <summary>Consecutive failures that open the circuit. 5 by default: one blip is not an outage.</summary>
    public int FailureThreshold
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(FailureThreshold));
            field = value;
        }
    } = 5;

    /// <summary>The first break, after the circuit opens from closed. 10 s by default.</summary>
    public TimeSpan BreakDuration
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(BreakDuration));
            field = value;
        }
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest break: each failed probe doubles the break up to this. 5 minutes by default, so an upstream
    /// that comes back is noticed within minutes while a dead one sees a dozen probes an hour.
    /// </summary>
    public TimeSpan MaxBreakDuration
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(MaxBreakDuration));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromDays(1), nameof(MaxBreakDuration));
            field = value;
        }
    } = TimeSpan.FromMinutes(5);
}
