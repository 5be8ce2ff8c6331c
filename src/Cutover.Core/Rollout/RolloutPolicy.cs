using Cutover.Core.Routing;

namespace Cutover.Core.Rollout;

/// <summary>
/// The rules between a rollout and routing, pure: where routing stands for a rollout's scope, which routing changes
/// bring it to a rollout state, and what a rollback does. <c>RolloutService</c> loads the state, asks here, commits.
/// </summary>
public static class RolloutPolicy
{
    /// <summary>Routing's percent for a scope: the global one, or the domain's own (or inherited) one.</summary>
    public static decimal CurrentPercent(RoutingState routing, string? domain) =>
        domain is null ? routing.Percent : routing.PercentFor(domain);

    /// <summary>
    /// The routing changes that bring routing to <paramref name="next"/>'s percent in its scope: none unless the
    /// rollout is running or the change lowers (a rollback, an abort). Lowering every domain also brings down a domain
    /// with its own higher percent, by making it follow the global one again rather than pinning it at an own 0%.
    /// </summary>
    public static IReadOnlyList<RoutingChange> PercentChanges(RoutingState routing, RolloutState next, bool lowering)
    {
        List<RoutingChange> changes = next.Percent != CurrentPercent(routing, next.Domain) && (next.Status.IsActive() || lowering)
            ? [new RoutingChange.SetPercent(next.Percent, next.Domain)]
            : [];
        if (lowering && next.Domain is null)
        {
            changes.AddRange(routing.DomainPercents
                .Where(p => p.Value > next.Percent)
                .OrderBy(static p => p.Key, StringComparer.Ordinal)
                .Select(static p => new RoutingChange.InheritPercent(p.Key)));
        }

        return changes;
    }

    /// <summary>
    /// What a manual routing change (<c>PUT /admin/routing</c>, <c>cutover set</c>) may do while a rollout is in
    /// <paramref name="rollout"/>: null when it may go ahead, else why not. A running rollout (paused or not) owns the
    /// percent, so a change of a percent (set, or back to the global one) is refused: two hands on it would fight at
    /// every evaluation. Making a domain routable or not is always allowed (taking a domain out of routing must work at
    /// any time), as is everything when no rollout runs. Decided under the rollout's lock, so the answer still holds
    /// when the change is applied.
    /// </summary>
    public static RolloutRefusal? ManualChange(RolloutState rollout, IReadOnlyList<RoutingChange> changes) =>
        rollout.Status.IsActive() && changes.Any(static c => c is RoutingChange.SetPercent or RoutingChange.InheritPercent)
            ? new RolloutRefusal(RolloutRefusalCode.OwnsPercent,
                $"a rollout is {rollout.Status.ToName()} at {RolloutDecider.Pct(rollout.Percent)} and owns the percent (paused or not): use rollout abort or rollback")
            : null;

    /// <summary>
    /// The state as an event's "before": a rollout that does not own the percent (idle, halted, complete) records
    /// routing's actual percent for its scope, not the percent it last set, so "0% → 10%" is never written when
    /// routing was at 10% already.
    /// </summary>
    public static RolloutState AsFound(RolloutState state, RoutingState routing)
    {
        var current = CurrentPercent(routing, state.Domain);

        // Equal is left as stored: decimals keep their scale (0.00 read back against 0 set), and the audit trail's
        // JSON should not change form when nothing changed.
        return state.Status.IsActive() || state.Percent == current ? state : state with { Percent = current };
    }

    /// <summary>
    /// A rollback to <paramref name="percent"/>: a running, halted or complete rollout goes back in its own scope (and
    /// halts); with none, every routable domain goes back. Refused if it would raise the percent; nothing when routing
    /// is already there and no rollout would halt, so nothing is recorded or paged.
    /// </summary>
    /// <remarks>
    /// With <paramref name="includeOverrides"/>, the overrides that send users of the rollback's scope to unified
    /// (<see cref="OverridesOnUnified"/>) go too, in the same routing change; without it they stay, and the plan counts
    /// them, because a rollback to 0% that leaves pinned users on unified must say so.
    /// </remarks>
    public static RollbackPlan Rollback(
        RolloutState state, RoutingState routing, decimal percent, string reason, DateTimeOffset now, bool includeOverrides = false)
    {
        var owned = state.Status.IsActive() || state.Status is RolloutStatus.Halted or RolloutStatus.Complete;
        var scoped = owned ? state : state with { Domain = null };
        var next = RolloutCommands.Rollback(scoped, percent, reason, now) with { Percent = percent };
        var from = state.Status.IsActive() ? state.Percent : CurrentPercent(routing, next.Domain);
        var before = state with { Percent = from, Domain = next.Domain };
        if (percent > from)
        {
            var refusal = new RolloutRefusal(RolloutRefusalCode.RollbackRaises,
                $"a rollback goes down: {RolloutDecider.Pct(from)} now, so {RolloutDecider.Pct(percent)} would raise it (use set, or rollout resume after a halt)");
            return new RollbackPlan(refusal, null, before, state, from, []);
        }

        var changes = PercentChanges(routing, next, lowering: true).ToList();
        var pinned = OverridesOnUnified(routing, next.Domain);
        if (includeOverrides)
        {
            changes.AddRange(pinned.Select(static user => new RoutingChange.ClearOverride(user)));
        }

        var left = includeOverrides ? 0 : pinned.Count;
        if (changes.Count == 0 && next.Status == state.Status)
        {
            var scope = next.Domain is null ? string.Empty : $" for {next.Domain}";
            return new RollbackPlan(null,
                $"nothing to roll back: routing is at {RolloutDecider.Pct(from)}{scope} already and no rollout is running; nothing was recorded",
                before, state, from, []) { OverridesLeft = left };
        }

        return new RollbackPlan(null, null, before, next, from, changes) { OverridesLeft = left, OverridesCleared = includeOverrides ? pinned.Count : 0 };
    }

    /// <summary>
    /// The users an override sends to unified in <paramref name="domain"/>'s scope (every domain when null), by stored
    /// key, in order: a route pin on unified with no domain pin, or with the scope's domain. A rollback's percent does not
    /// move them; only clearing the override does.
    /// </summary>
    public static IReadOnlyList<string> OverridesOnUnified(RoutingState routing, string? domain) =>
        [.. routing.Overrides
            .Where(o => o.Value.Route == Route.Unified && (domain is null || o.Value.Domain is null || o.Value.Domain == domain))
            .Select(static o => o.Key)];

    /// <summary>
    /// What a rollback's answer and notification say of the users left on unified by their overrides; null when none are.
    /// </summary>
    public static string? OverridesSentence(int left) => left switch
    {
        <= 0 => null,
        1 => "1 user stays on unified by an override: 'cutover override USER clear --reason R' clears it, or roll back with --include-overrides",
        _ => $"{left} users stay on unified by their overrides: 'cutover override USER clear --reason R' clears one, or roll back with --include-overrides",
    };
}
