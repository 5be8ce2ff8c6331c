using System.Globalization;
using Cutover.Core.Health;

namespace Cutover.Core.Rollout;

/// <summary>
/// The rollout's one decision, pure: from the plan, the state, health, the unified requests seen at this step and
/// the time, the next state. Precedence, first match wins:
/// (1) not running → nothing; (2) health critical → roll back and halt, paused or not;
/// (3) paused → hold; (4) soak not over → soak; (5) too few requests at this step, or any check warn or
/// insufficient_data → hold; (6) all green → complete after the last step, else advance (auto) or await
/// <c>promote</c> (manual). A decision equal to the current state is "unchanged", so events are emitted once.
/// <see cref="DecideCritical"/> is rule (2) alone, for the fast look between full ones.
/// </summary>
public static class RolloutDecider
{
    public static RolloutDecision Decide(RolloutPlan plan, RolloutState state, HealthReport health, long stepRequests, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(health);
        if (!state.Status.IsActive())
        {
            return RolloutDecision.Unchanged(state, $"the rollout is {state.Status.ToName()}");
        }

        // A plan shortened in the configuration since the step began: the step is the plan's last.
        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        var step = plan.Steps[index];
        var stepName = $"step {index + 1} of {plan.Steps.Count} ({Pct(step.Percent)})";

        if (health.State == HealthState.Critical)
        {
            return RollBack(plan, state, health, index, stepName, now);
        }

        if (state.Paused)
        {
            return Hold(state, now, $"paused at {stepName}");
        }

        var started = state.StepStartedAt ?? now;
        var left = started + step.Soak - now;
        if (left > TimeSpan.Zero)
        {
            var soaking = $"soaking {stepName}, {Duration(left)} left";
            return state.Status == RolloutStatus.Soaking
                ? RolloutDecision.Unchanged(state, soaking)
                : new RolloutDecision(state with { Status = RolloutStatus.Soaking, Note = null, UpdatedAt = now }, RolloutDecisionKind.ResumeSoak, soaking, []);
        }

        if (stepRequests < step.MinRequests)
        {
            // The note names the gate, not the count, so a hold is recorded once, not at every look.
            return Hold(state, now, $"holding {stepName}: fewer than the {step.MinRequests:N0} unified requests the step needs") with { ForLackOfTraffic = true };
        }

        if (health.State != HealthState.Ok)
        {
            var blocking = health.Checks.Where(static c => c.State != HealthState.Ok).ToList();
            var hold = Hold(state, now, $"holding {stepName}: {string.Join(", ", blocking.Select(static c => $"{c.Name} {c.State.ToName()}"))}");
            return hold with { ForLackOfTraffic = blocking.All(static c => c.State == HealthState.InsufficientData) };
        }

        if (index == plan.Steps.Count - 1)
        {
            var complete = state with { Status = RolloutStatus.Complete, Step = index, Note = null, UpdatedAt = now };
            return new RolloutDecision(complete, RolloutDecisionKind.Complete, $"complete: {stepName} soaked green", []);
        }

        if (plan.Mode == RolloutMode.Manual)
        {
            var waiting = $"{stepName} soaked green; waiting for promote to {Pct(plan.Steps[index + 1].Percent)}";
            return state.Status == RolloutStatus.AwaitingPromotion
                ? RolloutDecision.Unchanged(state, waiting)
                : new RolloutDecision(state with { Status = RolloutStatus.AwaitingPromotion, Note = waiting, UpdatedAt = now },
                    RolloutDecisionKind.AwaitPromotion, waiting, []);
        }

        var next = AdvanceFrom(plan, state, index, now);
        return new RolloutDecision(next, RolloutDecisionKind.Advance, $"{stepName} soaked green; advancing to {Pct(next.Percent)}", []);
    }

    /// <summary>
    /// The fast look's decision (every <c>Rollout:FastCheckInterval</c>, from <see cref="HealthEvaluator.EvaluateSinceChange"/>):
    /// rule (2) of <see cref="Decide"/> alone. A critical verdict rolls back and halts exactly as the full look would;
    /// anything else changes nothing, since the fast look sees too little to hold, soak or advance.
    /// </summary>
    public static RolloutDecision DecideCritical(RolloutPlan plan, RolloutState state, HealthReport health, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(health);
        if (!state.Status.IsActive())
        {
            return RolloutDecision.Unchanged(state, $"the rollout is {state.Status.ToName()}");
        }

        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        var stepName = $"step {index + 1} of {plan.Steps.Count} ({Pct(plan.Steps[index].Percent)})";
        return health.State == HealthState.Critical
            ? RollBack(plan, state, health, index, stepName, now)
            : RolloutDecision.Unchanged(state, $"{stepName}: nothing critical since the change");
    }

    private static RolloutDecision RollBack(RolloutPlan plan, RolloutState state, HealthReport health, int index, string stepName, DateTimeOffset now)
    {
        var causes = health.Checks.Where(static c => c.State == HealthState.Critical).ToList();
        var to = plan.RollbackPercent(index);
        var reason = $"critical at {stepName}: " + string.Join("; ", causes.Select(static c => $"{c.Name}: {c.Message}"));
        var halted = state with { Status = RolloutStatus.Halted, Step = index, Percent = to, Paused = false, Note = reason, UpdatedAt = now };
        return new RolloutDecision(halted, RolloutDecisionKind.Rollback, reason, causes);
    }

    /// <summary>The state at the step after <paramref name="index"/>, its soak starting now.</summary>
    public static RolloutState AdvanceFrom(RolloutPlan plan, RolloutState state, int index, DateTimeOffset now) => state with
    {
        Status = RolloutStatus.Soaking,
        Step = index + 1,
        Percent = plan.Steps[index + 1].Percent,
        StepStartedAt = now,
        Note = null,
        UpdatedAt = now,
    };

    private static RolloutDecision Hold(RolloutState state, DateTimeOffset now, string reason) =>
        state.Status == RolloutStatus.Holding && state.Note == reason
            ? RolloutDecision.Unchanged(state, reason)
            : new RolloutDecision(state with { Status = RolloutStatus.Holding, Note = reason, UpdatedAt = now }, RolloutDecisionKind.Hold, reason, []);

    internal static string Pct(decimal percent) => percent.ToString("0.##", CultureInfo.InvariantCulture) + "%";

    internal static string Duration(TimeSpan span) =>
        span.TotalMinutes < 1 ? $"{Math.Ceiling(span.TotalSeconds):0} s"
        : span.TotalHours < 1 ? $"{Math.Ceiling(span.TotalMinutes):0} min"
        : $"{Math.Floor(span.TotalHours):0} h {span.Minutes:0} min";
}
