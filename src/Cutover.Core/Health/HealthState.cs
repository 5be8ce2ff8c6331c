namespace Cutover.Core.Health;

/// <summary>
/// A check's verdict, in rising order of severity for <see cref="HealthReport.State"/>. Insufficient data is
/// never ok: it holds a rollout, it does not advance it.
/// </summary>
public enum HealthState
{
    Ok = 0,
    InsufficientData = 1,
    Warn = 2,
    Critical = 3,
}
