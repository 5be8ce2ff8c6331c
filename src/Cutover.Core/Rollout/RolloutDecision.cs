using Cutover.Core.Health;

namespace Cutover.Core.Rollout;

/// <summary>
/// The outcome of one evaluation: the next state (the same object when nothing changes), what happened, why,
/// and for a rollback the checks that caused it.
/// </summary>
public sealed record RolloutDecision(RolloutState Next, RolloutDecisionKind Kind, string Reason, IReadOnlyList<HealthCheck> Causes)
{
    public bool Changed => Kind != RolloutDecisionKind.None;

    public static RolloutDecision Unchanged(RolloutState state, string reason) => new(state, RolloutDecisionKind.None, reason, []);
}
