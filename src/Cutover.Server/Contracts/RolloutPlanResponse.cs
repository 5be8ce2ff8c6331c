namespace Cutover.Server.Contracts;

/// <summary><c>GET /admin/rollout/plan</c>: the plan from <c>Rollout:*</c> and how long it takes at the least.</summary>
public sealed record RolloutPlanResponse(
    string Mode, string OnCritical, string EvaluationInterval, IReadOnlyList<RolloutStepView> Steps, string ShortestDuration);
