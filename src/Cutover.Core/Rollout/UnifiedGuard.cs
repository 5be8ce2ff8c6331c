using Cutover.Core.Health;
using Cutover.Core.Routing;

namespace Cutover.Core.Rollout;

/// <summary>
/// The watch on unified when no rollout owns the percent (none ran, it completed, it was aborted or halted), pure.
/// While a rollout runs, <see cref="RolloutDecider"/> rolls back on critical; once it is over, users can still be on
/// unified (100% after <c>complete</c>, a manual <c>set</c>, overrides), and a critical unified must not go unseen.
/// </summary>
/// <remarks>
/// Rules, first match wins: (1) no traffic can reach unified (see <see cref="Watches"/>) → nothing, and any critical
/// episode is over; (2) health not critical → nothing, the episode is over; (3) an episode already open → nothing (it
/// was told once); (4) <c>Rollout:GuardAfterComplete</c> on and the percent can go down → roll back; (5) otherwise
/// notify. Where it rolls back to follows <c>Rollout:OnCritical</c>: <c>zero</c> → 0%; <c>step_back</c> → the plan's
/// highest step below the percent now in the scope (after <c>complete</c> at 100%, the step before the last), 0% when
/// none is below. The rollback is in the rollout's scope when the last rollout had one (complete or halted), else
/// every routable domain, as <see cref="RolloutPolicy.Rollback"/> says; a completed rollout halts, so
/// <c>rollout resume</c> restarts its last step.
/// </remarks>
public static class UnifiedGuard
{
    /// <summary>How every note and reason the guard writes begins, so status and history say who acted.</summary>
    public const string Prefix = "guard on unified";

    /// <summary>
    /// Whether any user's traffic can reach unified: routing enabled, and a routable domain with a percent above 0 or
    /// an override routing users to unified (an override applies only in routable domains, and not with routing off).
    /// </summary>
    public static bool Watches(RoutingState routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        return routing.Enabled && !routing.Routable.IsEmpty
            && (routing.Routable.Any(d => routing.PercentFor(d) > 0) || routing.Overrides.Values.Any(static o => o.Route == Route.Unified));
    }

    /// <summary>The guard's look. Only for a rollout that does not own the percent; a running one is the decider's.</summary>
    public static GuardDecision Decide(
        RolloutPlan plan, RolloutState state, RoutingState routing, HealthReport health, bool rollBack, bool episodeOpen, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(health);
        if (state.Status.IsActive())
        {
            return new GuardDecision(GuardAction.None, $"the rollout is {state.Status.ToName()}: the controller judges it", [], null, episodeOpen);
        }

        if (!Watches(routing))
        {
            return new GuardDecision(GuardAction.None, "no traffic reaches unified", [], null, false);
        }

        if (health.State != HealthState.Critical)
        {
            return new GuardDecision(GuardAction.None, $"unified is {health.State.ToName()}", [], null, false);
        }

        var causes = health.Checks.Where(static c => c.State == HealthState.Critical).ToList();
        var checks = string.Join("; ", causes.Select(static c => $"{c.Name}: {c.Message}"));
        var scope = state.Status is RolloutStatus.Complete or RolloutStatus.Halted ? state.Domain : null;
        var current = RolloutPolicy.CurrentPercent(routing, scope);
        var where = state.Status switch
        {
            RolloutStatus.Complete => "after the rollout completed",
            RolloutStatus.Idle => "with no rollout running",
            _ => $"with the rollout {state.Status.ToName()}",
        };
        if (episodeOpen)
        {
            return new GuardDecision(GuardAction.None, $"{Prefix}: still critical {where} (already told): {checks}", causes, null, true);
        }

        if (rollBack)
        {
            var to = TargetPercent(plan, current);
            var reason = $"{Prefix}: critical {where} at {RolloutDecider.Pct(current)}: {checks}";
            var rollback = RolloutPolicy.Rollback(state, routing, to, reason, now);
            if (!rollback.Refused && !rollback.ChangesNothing && to < current)
            {
                // With no rollout the state stays idle; its note keeps why, so the status can say who moved routing.
                var next = rollback.Next.Status == RolloutStatus.Idle ? rollback.Next with { Note = reason, UpdatedAt = now } : rollback.Next;
                return new GuardDecision(GuardAction.RollBack, reason, causes, rollback with { Next = next }, true);
            }
        }

        var told = rollBack
            ? $"{Prefix}: critical {where} at {RolloutDecider.Pct(current)}, with nothing left to roll back (overrides or other domains keep users on unified): {checks}"
            : $"{Prefix}: critical {where} at {RolloutDecider.Pct(current)}; Rollout:GuardAfterComplete is off, so routing stays: {checks}";
        return new GuardDecision(GuardAction.Notify, told, causes, null, true);
    }

    /// <summary>Where the guard rolls back to from <paramref name="current"/>, as <c>Rollout:OnCritical</c> says.</summary>
    public static decimal TargetPercent(RolloutPlan plan, decimal current)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.OnCritical == CriticalAction.Zero
            ? 0
            : plan.Steps.Select(static s => s.Percent).Where(p => p < current).DefaultIfEmpty(0).Max();
    }

    /// <summary>
    /// The status's next-step sentence for a complete rollout, judged now: a critical unified is said, with what the
    /// guard does about it.
    /// </summary>
    public static string CompleteSentence(RolloutPlan plan, RolloutState state, RoutingState routing, HealthReport health, bool rollBack)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(health);
        if (health.State != HealthState.Critical || !Watches(routing))
        {
            return "complete: every step soaked green";
        }

        var checks = string.Join("; ", health.Checks.Where(static c => c.State == HealthState.Critical).Select(static c => $"{c.Name}: {c.Message}"));
        return rollBack
            ? $"complete, but unified is critical now ({checks}): at the next look the guard rolls back to {RolloutDecider.Pct(TargetPercent(plan, RolloutPolicy.CurrentPercent(routing, state.Domain)))}"
            : $"complete, but unified is critical now ({checks}): Rollout:GuardAfterComplete is off, so the guard only notifies; 'cutover rollback --reason R' sends users back";
    }
}
