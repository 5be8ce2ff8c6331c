namespace Cutover.Core.Health;

/// <summary>Every check at one moment; the state is the worst of them.</summary>
public sealed record HealthReport(DateTimeOffset At, HealthState State, IReadOnlyList<HealthCheck> Checks)
{
    public static HealthState Worst(IEnumerable<HealthCheck> checks) =>
        checks.Select(static c => c.State).DefaultIfEmpty(HealthState.Ok).Max();

    /// <summary>The checks in the report's own state: what to show first.</summary>
    public IEnumerable<HealthCheck> Deciding => Checks.Where(c => c.State == State);
}
