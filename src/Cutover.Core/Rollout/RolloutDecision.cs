using Cutover.Core.Health;

namespace Cutover.Core.Rollout;

/// <summary>
/// The outcome of one evaluation: the next state (the same object when nothing changes), what happened, why,
/// and for a rollback the checks that caused it.
/// </summary>
public sealed record RolloutDecision(RolloutState Next, RolloutDecisionKind Kind, string Reason, IReadOnlyList<HealthCheck> Causes)
{
    public bool Changed => Kind != RolloutDecisionKind.None;

    /// <summary>
    /// A hold only because traffic is short (too few unified requests at the step, or checks without enough data):
    /// recorded, but not news (see <see cref="RolloutNotices"/>).
    /// </summary>
    public bool ForLackOfTraffic { get; init; }

    public static RolloutDecision Unchanged(RolloutState state, string reason) => new(state, RolloutDecisionKind.None, reason, []);
}
