namespace Cutover.Core.Delivery;

/// <summary>Where a <see cref="CircuitBreaker"/> stands at a given time.</summary>
public enum CircuitState
{
    /// <summary>Requests flow; consecutive failures are counted.</summary>
    Closed = 0,

    /// <summary>The break is running: nothing is sent until it ends.</summary>
    Open = 1,

    /// <summary>The break is over: one probe may go, and its report closes or reopens the circuit.</summary>
    HalfOpen = 2,
}
