using System.Globalization;
using Cutover.Core.Health;
using Cutover.Core.Routing;

namespace Cutover.Core.Rollout;

/// <summary>
/// The sentence <c>rollout status</c> ends with, pure: what the controller will do next and what it waits for, judged
/// with the same <see cref="RolloutDecider"/> the controller uses, so the sentence and the next look agree.
/// </summary>
public static class RolloutNextStep
{
    public static string Describe(
        RolloutPlan plan, RolloutState state, RoutingState routing, HealthReport report, long stepRequests, bool guardRollsBack, DateTimeOffset now)
    {
        switch (state.Status)
        {
            case RolloutStatus.Idle when state.Note?.StartsWith(UnifiedGuard.Prefix, StringComparison.Ordinal) == true:
                return $"nothing runs; rolled back at {state.UpdatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ({state.Note}): 'cutover rollout start --reason …' begins the plan";
            case RolloutStatus.Idle:
                return "nothing runs: 'cutover rollout start --reason …' begins the plan";
            case RolloutStatus.Halted:
                return $"halted after a rollback ({state.Note}): 'cutover rollout resume' restarts step {state.Step + 1}, 'cutover rollout abort' ends it";
            case RolloutStatus.Complete:
                return UnifiedGuard.CompleteSentence(plan, state, routing, report, guardRollsBack);
        }

        var decision = RolloutDecider.Decide(plan, state, report, stepRequests, now);
        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        var then = index == plan.Steps.Count - 1 ? "the rollout completes"
            : plan.Mode == RolloutMode.Auto ? $"it advances to {RolloutDecider.Pct(plan.Steps[index + 1].Percent)}"
            : $"it waits for 'cutover rollout promote' to {RolloutDecider.Pct(plan.Steps[index + 1].Percent)}";
        return decision.Kind switch
        {
            RolloutDecisionKind.Rollback => $"at the next look: roll back to {RolloutDecider.Pct(decision.Next.Percent)} ({decision.Reason})",
            RolloutDecisionKind.None when state.Status == RolloutStatus.Soaking => $"{decision.Reason}; then, if every gate is green, {then}",
            RolloutDecisionKind.Advance or RolloutDecisionKind.Complete => $"at the next look: {decision.Reason}",
            _ => decision.Reason,
        };
    }
}
