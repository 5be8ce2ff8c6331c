using Cutover.Core.Health;

namespace Cutover.Core.Rollout;

/// <summary>
/// The guard's verdict at one look: what to do, why, the critical checks behind it, the rollback to commit (for
/// <see cref="GuardAction.RollBack"/>), and whether a critical episode is open after this look, which the caller keeps
/// for the next one so an episode is told once.
/// </summary>
public sealed record GuardDecision(
    GuardAction Action,
    string Reason,
    IReadOnlyList<HealthCheck> Causes,
    RollbackPlan? Rollback,
    bool EpisodeOpen);
