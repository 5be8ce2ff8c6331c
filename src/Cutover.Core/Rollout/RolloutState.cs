namespace Cutover.Core.Rollout;

/// <summary>
/// A rollout at one moment: its status, the step (index into the plan, −1 when none) and the percent it set,
/// its scope (<see cref="Domain"/>, null for every routable domain), when it and the step started, whether an
/// operator paused it, and why it holds or halted. <see cref="Version"/> rises with every stored change.
/// </summary>
public sealed record RolloutState(
    RolloutStatus Status,
    int Step,
    decimal Percent,
    string? Domain,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StepStartedAt,
    bool Paused,
    string? Note,
    long Version,
    DateTimeOffset UpdatedAt)
{
    public static RolloutState Idle(DateTimeOffset now) => new(RolloutStatus.Idle, -1, 0, null, null, null, false, null, 0, now);
}
