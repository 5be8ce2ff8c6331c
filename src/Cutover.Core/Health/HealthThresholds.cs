namespace Cutover.Core.Health;

/// <summary>
/// What health is judged against. The error and p95 guards are the runbooks' (warn above 0.1% / 2 s,
/// critical above 0.5% / 3 s); the comparison with legacy is a sequential test (see docs/health-statistics.md).
/// </summary>
public sealed record HealthThresholds
{
    public double ErrorRateWarnPct { get; init; } = 0.1;

    public double ErrorRateCriticalPct { get; init; } = 0.5;

    public double P95WarnMs { get; init; } = 2000;

    public double P95CriticalMs { get; init; } = 3000;

    /// <summary>Failures the error-rate guard needs before a rate above its thresholds counts. Default 5.</summary>
    public long MinErrors { get; init; } = 5;

    /// <summary>Requests a check needs before it judges; below it says insufficient_data.</summary>
    public long MinRequests { get; init; } = 100;

    /// <summary>How far the actual unified share may be from the configured percent, at high volume.</summary>
    public double SplitTolerancePoints { get; init; } = 2;

    public ErrorComparisonOptions ErrorComparison { get; init; } = ErrorComparisonOptions.Default;

    public LatencyComparisonOptions LatencyComparison { get; init; } = new();

    /// <summary>Handlers that must be seen in the window (the runbooks' "all 8 agents").</summary>
    public IReadOnlyList<string> ExpectedHandlers { get; init; } = [];

    /// <summary>A handler is failing completely when every one of at least this many invocations failed.</summary>
    public long HandlerFailureMinInvocations { get; init; } = 5;
}
