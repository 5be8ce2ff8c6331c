namespace Cutover.Server.Contracts;

/// <summary>
/// <c>GET /admin/rollout</c>: <c>state</c> (<c>idle</c>, <c>soaking</c>, <c>awaiting_promotion</c>, <c>holding</c>,
/// <c>halted</c>, <c>complete</c>), <c>step</c> (from 1; 0 when none) and <c>percent</c>, the soak left, each gate
/// now, and what happens next; <c>instance</c> says whether the answering instance is the one that evaluates the rollout.
/// </summary>
public sealed record RolloutStatusResponse(
    string State,
    int Step,
    int Steps,
    decimal Percent,
    string Mode,
    string? Domain,
    bool Paused,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StepStartedAt,
    double? SoakLeftSeconds,
    long StepRequests,
    long StepMinRequests,
    string? Note,
    string Next,
    IReadOnlyList<HealthCheckView> Gates,
    IReadOnlyList<RolloutStepView> Plan,
    IReadOnlyList<DecommissionView>? Decommission = null,
    InstanceStatus? Instance = null);
