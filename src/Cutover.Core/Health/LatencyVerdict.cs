namespace Cutover.Core.Health;

/// <summary>What the latency rule concluded about unified's p95 against legacy's.</summary>
public enum LatencyVerdict
{
    /// <summary>A side has fewer requests than the minimum sample: its p95 is not judged yet.</summary>
    Insufficient = 0,

    /// <summary>Unified's p95 is within the tolerance of legacy's.</summary>
    Ok = 1,

    /// <summary>Unified's p95 is beyond the tolerance of legacy's.</summary>
    Worse = 2,
}
