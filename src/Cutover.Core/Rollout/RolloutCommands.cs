namespace Cutover.Core.Rollout;

/// <summary>
/// What an operator can do to a rollout, pure: each returns the next state or says why not. The caller stores
/// the state, applies its percent and records the event.
/// </summary>
public static class RolloutCommands
{
    public static RolloutCommandResult Start(RolloutPlan plan, RolloutState state, string? domain, DateTimeOffset now)
    {
        if (state.Status.IsActive())
        {
            return RolloutCommandResult.Refused($"a rollout is already {state.Status.ToName()} at {RolloutDecider.Pct(state.Percent)}; abort it or roll it back first");
        }

        if (state.Status == RolloutStatus.Halted)
        {
            return RolloutCommandResult.Refused("the rollout is halted after a rollback: resume it, or abort it before starting a new one");
        }

        var first = plan.Steps[0];
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

    public static RolloutCommandResult Promote(RolloutPlan plan, RolloutState state, DateTimeOffset now)
    {
        if (state.Status != RolloutStatus.AwaitingPromotion)
        {
            return RolloutCommandResult.Refused(state.Status switch
            {
                RolloutStatus.Soaking => $"step {state.Step + 1} is still soaking; promote once its soak is over and its gates are green",
                RolloutStatus.Holding => $"step {state.Step + 1} is holding ({state.Note}); promote once its gates are green",
                _ => $"the rollout is {state.Status.ToName()}; there is nothing to promote",
            });
        }

        var index = Math.Clamp(state.Step, 0, plan.Steps.Count - 1);
        return index == plan.Steps.Count - 1
            ? RolloutCommandResult.Refused("this is the last step; the rollout completes by itself")
            : RolloutCommandResult.To(RolloutDecider.AdvanceFrom(plan, state, index, now));
    }

    public static RolloutCommandResult Pause(RolloutState state, DateTimeOffset now) =>
        !state.Status.IsActive() ? RolloutCommandResult.Refused($"the rollout is {state.Status.ToName()}; there is nothing to pause")
        : state.Paused ? RolloutCommandResult.Refused("the rollout is already paused")
        : RolloutCommandResult.To(state with { Paused = true, Status = RolloutStatus.Holding, Note = "paused", UpdatedAt = now });

    /// <summary>A paused rollout goes on; a halted one restarts the step it was rolled back from, its soak from now.</summary>
    public static RolloutCommandResult Resume(RolloutPlan plan, RolloutState state, DateTimeOffset now)
    {
        if (state.Status == RolloutStatus.Halted)
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

        return state.Paused && state.Status.IsActive()
            ? RolloutCommandResult.To(state with { Paused = false, Status = RolloutStatus.Soaking, Note = null, UpdatedAt = now })
            : RolloutCommandResult.Refused($"the rollout is {state.Status.ToName()}{(state.Paused ? string.Empty : " and not paused")}; there is nothing to resume");
    }

    /// <summary>Stops the rollout and sends every user back to legacy (0%).</summary>
    public static RolloutCommandResult Abort(RolloutState state, DateTimeOffset now) =>
        state.Status is RolloutStatus.Idle or RolloutStatus.Complete
            ? RolloutCommandResult.Refused($"the rollout is {state.Status.ToName()}; there is nothing to abort")
            : RolloutCommandResult.To(state with { Status = RolloutStatus.Idle, Percent = 0, Paused = false, Note = "aborted", UpdatedAt = now });

    /// <summary>An operator's rollback: a running rollout halts at <paramref name="percent"/>; otherwise the state stays.</summary>
    public static RolloutState Rollback(RolloutState state, decimal percent, string reason, DateTimeOffset now) =>
        state.Status.IsActive()
            ? state with { Status = RolloutStatus.Halted, Percent = percent, Paused = false, Note = reason, UpdatedAt = now }
            : state;
}
