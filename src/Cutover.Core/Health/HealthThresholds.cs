namespace Cutover.Core.Health;

/// <summary>
/// What health is judged against. The defaults are <see cref="HealthDefaults"/>'s (the error and p95 guards are the
/// runbooks'); the comparison with legacy is a sequential test (see docs/health-statistics.md).
/// </summary>
public sealed record HealthThresholds
{
    public double ErrorRateWarnPct { get; init; } = HealthDefaults.ErrorRateWarnPct;

    public double ErrorRateCriticalPct { get; init; } = HealthDefaults.ErrorRateCriticalPct;

    public double P95WarnMs { get; init; } = HealthDefaults.P95WarnMs;

    public double P95CriticalMs { get; init; } = HealthDefaults.P95CriticalMs;

    /// <summary>Failures the error-rate guard needs before a rate above its thresholds counts. Default 5.</summary>
    public long MinErrors { get; init; } = HealthDefaults.MinErrors;

    /// <summary>Requests a check needs before it judges; below it says insufficient_data.</summary>
    public long MinRequests { get; init; } = HealthDefaults.MinRequests;

    /// <summary>How far the actual unified share may be from the configured percent, at high volume.</summary>
    public double SplitTolerancePoints { get; init; } = HealthDefaults.SplitTolerancePoints;

    public ErrorComparisonOptions ErrorComparison { get; init; } = ErrorComparisonOptions.Default;

    public LatencyComparisonOptions LatencyComparison { get; init; } = new();

    /// <summary>Handlers that must be seen in the window (the runbooks' "all 8 agents").</summary>
    public IReadOnlyList<string> ExpectedHandlers { get; init; } = [];

    /// <summary>A handler is failing completely when every one of at least this many invocations failed.</summary>
    public long HandlerFailureMinInvocations { get; init; } = HealthDefaults.HandlerFailureMinInvocations;
}
