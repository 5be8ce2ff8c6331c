namespace Cutover.Core.Rollout;

/// <summary>
/// Which rollout events are news, pure. Every decision is recorded in the audit trail; a hold for lack of traffic
/// (see <see cref="RolloutDecision.ForLackOfTraffic"/>) is told at most once per step, because at low traffic the hold
/// flips between "too few requests" and "not enough data" at every few looks and each flip paged someone.
/// </summary>
public static class RolloutNotices
{
    /// <summary>
    /// One step of one rollout: a resumed step (its soak restarted) or a new rollout at the same step is another one.
    /// </summary>
    public static string StepOf(RolloutState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return FormattableString.Invariant($"{state.StartedAt:O}|{state.Step}|{state.StepStartedAt:O}");
    }

    /// <summary>
    /// Whether <paramref name="decision"/> is told, given the step whose lack-of-traffic hold was told last
    /// (<paramref name="toldHoldStep"/>, null when none); <paramref name="toldNow"/> is that step after it.
    /// </summary>
    public static bool ShouldNotify(RolloutDecision decision, string? toldHoldStep, out string? toldNow)
    {
        ArgumentNullException.ThrowIfNull(decision);
        toldNow = toldHoldStep;
        if (decision.Kind != RolloutDecisionKind.Hold || !decision.ForLackOfTraffic)
        {
            return true;
        }

        var step = StepOf(decision.Next);
        if (step == toldHoldStep)
        {
            return false;
        }

        toldNow = step;
        return true;
    }
}
