using Cutover.Core.Health;
using Cutover.Core.Routing;

namespace Cutover.Core.Rollout;

/// <summary>
/// What an operator can do to a rollout, pure: each returns the next state or says why not. The caller stores
/// the state, applies its percent and records the event.
/// </summary>
public static class RolloutCommands
{
    /// <summary>
    /// Starts the plan at its first step, in <paramref name="domain"/>'s scope or every routable domain's. Refused
    /// while a rollout runs or is halted, with the kill switch on, for a domain that is not routable, and below where
    /// routing already is: a plan only goes up, and starting under the current percent would move users back to legacy.
    /// </summary>
    public static RolloutCommandResult Start(
        RolloutPlan plan, RolloutState state, string? domain, RoutingState routing, bool domainRoutable, DateTimeOffset now)
    {
        if (state.Status.IsActive())
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.AlreadyRunning,
                $"a rollout is already {state.Status.ToName()} at {RolloutDecider.Pct(state.Percent)}; abort it or roll it back first");
        }

        if (state.Status == RolloutStatus.Halted)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.Halted,
                "the rollout is halted after a rollback: resume it, or abort it before starting a new one");
        }

        if (domain is not null && !domainRoutable)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.DomainNotRoutable,
                $"domain '{domain}' is not routable (protected, unknown, or not made routable)");
        }

        if (!routing.Enabled)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.RoutingDisabled,
                "routing is disabled (the kill switch is on); enable it before starting a rollout");
        }

        var first = plan.Steps[0];
        var current = RolloutPolicy.CurrentPercent(routing, domain);
        if (current > first.Percent)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.BelowCurrentPercent,
                $"routing is at {RolloutDecider.Pct(current)}{(domain is null ? string.Empty : $" for {domain}")}, above the plan's first step "
                + $"({RolloutDecider.Pct(first.Percent)}); starting would move users back to legacy: roll back to at most that first");
        }

        return RolloutCommandResult.To(state with
        {
            Status = RolloutStatus.Soaking,
            Step = 0,
            Percent = first.Percent,
            Domain = domain,
            StartedAt = now,
            StepStartedAt = now,
            Paused = false,
            Note = null,
            UpdatedAt = now,
        });
    }

    /// <summary>
    /// Advances to the next step. A step awaiting promotion (manual mode, every gate green) advances as it is. A step
    /// holding on its gates after its soak, in either mode, advances only when the operator accepts every gate that
    /// holds it by name (<paramref name="accept"/>: <c>--accept split</c>), knowingly: only a gate that warns or lacks
    /// data can be accepted, never a critical one, and the plan's minimum of unified requests at the step is not a gate
    /// (too little traffic says nothing of unified). What is accepted applies to this promote only: the next step is
    /// judged in full again, in auto mode too. The gates accepted, as judged now, come back in
    /// <see cref="RolloutCommandResult.Accepted"/> for the event to record.
    /// </summary>
    public static RolloutCommandResult Promote(
        RolloutPlan plan, RolloutState state, HealthReport health, long stepRequests, IReadOnlyCollection<string> accept, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(accept);
        var known = health.Checks.Select(static c => c.Name).ToList();
        if (accept.FirstOrDefault(a => !known.Contains(a, StringComparer.Ordinal)) is { } unknown)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.UnknownGate,
                $"'{unknown}' is not a gate; the gates are {string.Join(", ", known)}");
        }

        var accepted = health.Checks.Where(c => accept.Contains(c.Name, StringComparer.Ordinal)).ToList();
        if (accepted.Where(static c => c.State == HealthState.Critical).ToList() is { Count: > 0 } critical)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.CriticalNotAcceptable,
                $"a critical check cannot be accepted ({Describe(critical)}): fix it first; the controller rolls back while it stands");
        }

        // A gate that turned green since the operator looked waives nothing: only what holds is recorded as accepted.
        var waived = accepted.Where(static c => c.State is HealthState.Warn or HealthState.InsufficientData).ToList();
        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        if (state.Status == RolloutStatus.Holding && !state.Paused)
        {
            var step = plan.Steps[index];
            var stepName = $"step {index + 1} ({Pct(step.Percent)})";
            if ((state.StepStartedAt ?? now) + step.Soak > now)
            {
                return RolloutCommandResult.Refused(RolloutRefusalCode.NothingToPromote, $"{stepName} is still soaking; a soak cannot be accepted");
            }

            if (stepRequests < step.MinRequests)
            {
                return RolloutCommandResult.Refused(RolloutRefusalCode.NothingToPromote,
                    $"{stepName} has seen {stepRequests:N0} of the {step.MinRequests:N0} unified requests it needs; that is not a gate to accept");
            }

            if (health.Checks.Where(static c => c.State == HealthState.Critical).ToList() is { Count: > 0 } standing)
            {
                return RolloutCommandResult.Refused(RolloutRefusalCode.CriticalHealth,
                    $"a health check is critical ({Describe(standing)}); the controller rolls back at its next look: fix it first");
            }

            var holding = health.Checks.Where(c => c.State != HealthState.Ok && !accept.Contains(c.Name, StringComparer.Ordinal)).ToList();
            if (holding.Count > 0)
            {
                var names = string.Join(" ", holding.Select(static c => $"--accept {c.Name}"));
                return RolloutCommandResult.Refused(RolloutRefusalCode.GatesHold,
                    $"{stepName} is held by {Describe(holding)}; promote once they are green, or accept them knowingly: {names} --reason \"why\"");
            }

            return index == plan.Steps.Count - 1
                ? RolloutCommandResult.Refused(RolloutRefusalCode.LastStep, "this is the last step; the rollout completes by itself once its gates are green")
                : RolloutCommandResult.To(RolloutDecider.AdvanceFrom(plan, state, index, now)) with { Accepted = waived };
        }

        if (state.Status != RolloutStatus.AwaitingPromotion)
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.NothingToPromote, state.Status switch
            {
                RolloutStatus.Soaking => $"step {state.Step + 1} is still soaking; promote once its soak is over and its gates are green",
                RolloutStatus.Holding => $"step {state.Step + 1} is holding ({state.Note}); promote once its gates are green",
                _ => $"the rollout is {state.Status.ToName()}; there is nothing to promote",
            });
        }

        return index == plan.Steps.Count - 1
            ? RolloutCommandResult.Refused(RolloutRefusalCode.LastStep, "this is the last step; the rollout completes by itself")
            : RolloutCommandResult.To(RolloutDecider.AdvanceFrom(plan, state, index, now)) with { Accepted = waived };
    }

    private static string Describe(IEnumerable<HealthCheck> checks) =>
        string.Join("; ", checks.Select(static c => $"{c.Name} {c.State.ToName()}: {c.Message}"));

    private static string Pct(decimal percent) => RolloutDecider.Pct(percent);

    public static RolloutCommandResult Pause(RolloutState state, DateTimeOffset now) =>
        !state.Status.IsActive() ? RolloutCommandResult.Refused(RolloutRefusalCode.NothingToPause, $"the rollout is {state.Status.ToName()}; there is nothing to pause")
        : state.Paused ? RolloutCommandResult.Refused(RolloutRefusalCode.NothingToPause, "the rollout is already paused")
        : RolloutCommandResult.To(state with { Paused = true, Status = RolloutStatus.Holding, Note = "paused", UpdatedAt = now });

    /// <summary>
    /// A paused rollout goes on; a halted one restarts the step it was rolled back from, its soak from now. Refused
    /// while a health check is critical, naming the checks, unless <paramref name="force"/>: resuming then would send
    /// users to a unified known to fail, and the controller would roll them back at its next look.
    /// </summary>
    public static RolloutCommandResult Resume(RolloutPlan plan, RolloutState state, HealthReport health, bool force, DateTimeOffset now)
    {
        var halted = state.Status == RolloutStatus.Halted;
        if (!halted && !(state.Paused && state.Status.IsActive()))
        {
            return RolloutCommandResult.Refused(RolloutRefusalCode.NothingToResume,
                $"the rollout is {state.Status.ToName()}{(state.Paused ? string.Empty : " and not paused")}; there is nothing to resume");
        }

        if (health.State == HealthState.Critical && !force)
        {
            var critical = health.Checks.Where(static c => c.State == HealthState.Critical).Select(static c => $"{c.Name}: {c.Message}");
            return RolloutCommandResult.Refused(RolloutRefusalCode.CriticalHealth,
                $"a health check is critical ({string.Join("; ", critical)}); resuming would send users to a unified that fails "
                + "and roll them back at the next look: fix it first, or resume with --force");
        }

        if (halted)
        {
            var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
            return RolloutCommandResult.To(state with
            {
                Status = RolloutStatus.Soaking,
                Step = index,
                Percent = plan.Steps[index].Percent,
                StepStartedAt = now,
                Paused = false,
                Note = null,
                UpdatedAt = now,
            });
        }

        return RolloutCommandResult.To(state with { Paused = false, Status = RolloutStatus.Soaking, Note = null, UpdatedAt = now });
    }

    /// <summary>Stops the rollout and sends every user back to legacy (0%).</summary>
    public static RolloutCommandResult Abort(RolloutState state, DateTimeOffset now) =>
        state.Status is RolloutStatus.Idle or RolloutStatus.Complete
            ? RolloutCommandResult.Refused(RolloutRefusalCode.NothingToAbort, $"the rollout is {state.Status.ToName()}; there is nothing to abort")
            : RolloutCommandResult.To(state with { Status = RolloutStatus.Idle, Percent = 0, Paused = false, Note = "aborted", UpdatedAt = now });

    /// <summary>
    /// A rollback: a running or complete rollout halts at <paramref name="percent"/> (so <c>rollout status</c> says
    /// what is true, and <c>resume</c> restarts the step it left); otherwise the state stays.
    /// </summary>
    public static RolloutState Rollback(RolloutState state, decimal percent, string reason, DateTimeOffset now) =>
        state.Status.IsActive() || state.Status == RolloutStatus.Complete
            ? state with { Status = RolloutStatus.Halted, Percent = percent, Paused = false, Note = reason, UpdatedAt = now }
            : state;
}
