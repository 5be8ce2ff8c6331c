namespace Cutover.Core.Routing;

/// <summary>
/// Predicts, from the users a window of the decision log saw, what a percent change (and the routable change that
/// <c>set</c> may carry with it) would do: who would be on unified then, and exactly who would move each way.
/// A user's bucket never changes and the route is decided by <see cref="Router.RouteOf(string, int, UserOverride?, RoutingSnapshot)"/>
/// for both states, so the users it says would move are the users that move when the change is applied, provided
/// they come back to the same domains. Pure.
/// </summary>
public static class PercentSimulator
{
    private const string Actor = "simulate";

    /// <summary>
    /// The state <paramref name="changes"/> would produce, each checked on top of the previous one by the same rules
    /// as a real change (<see cref="RoutingRules"/>): <see cref="ChangeOutcome.Next"/>, or the first refusal.
    /// </summary>
    public static ChangeOutcome Propose(RoutingState state, IReadOnlyList<RoutingChange> changes, RouterTopology topology)
    {
        // Nothing is stored, so the actor, reason and time only satisfy the rules' checks.
        var context = new ChangeContext(Actor, Actor, state.UpdatedAt, static key => key);
        var next = state;
        foreach (var change in changes)
        {
            var outcome = RoutingRules.Apply(next, change, topology, context);
            if (!outcome.Succeeded)
            {
                return outcome;
            }

            next = outcome.Next!;
        }

        return new ChangeOutcome(ChangeError.None, null, next, null);
    }

    /// <summary>
    /// Routes every (user, domain) of <paramref name="activity"/> under <paramref name="current"/> and
    /// <paramref name="proposed"/> and counts the difference. <paramref name="storedKeyOf"/> turns a raw user key into
    /// the form the log stores it in: overrides are kept under raw keys, the log under hashed ones by default.
    /// Rows for the same user and domain are merged.
    /// </summary>
    public static Simulation Simulate(
        IEnumerable<UserActivity> activity, RoutingSnapshot current, RoutingSnapshot proposed, Func<string, string> storedKeyOf)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(storedKeyOf);
        if (!ReferenceEquals(current.Topology, proposed.Topology))
        {
            throw new ArgumentException("both snapshots must share one topology: a simulation changes the state, not the configuration", nameof(proposed));
        }

        var pinsNow = PinsOf(current.State, storedKeyOf);
        var pinsProposed = ReferenceEquals(current.State.Overrides, proposed.State.Overrides) ? pinsNow : PinsOf(proposed.State, storedKeyOf);

        var merged = new Dictionary<(string Domain, string User), (int Bucket, long Requests)>();
        foreach (var a in activity)
        {
            merged[(a.Domain, a.UserKey)] = merged.TryGetValue((a.Domain, a.UserKey), out var seen)
                ? (Math.Max(seen.Bucket, a.Bucket), seen.Requests + a.Requests)
                : (a.Bucket, a.Requests);
        }

        var domains = new Dictionary<string, Tally>(StringComparer.Ordinal);
        foreach (var name in current.Topology.Domains.Keys)
        {
            domains[name] = new Tally();
        }

        var users = new Dictionary<string, UserFlags>(StringComparer.Ordinal);
        var totals = new Tally();
        foreach (var ((domain, user), (bucket, requests)) in merged)
        {
            pinsNow.TryGetValue(user, out var pinNow);
            pinsProposed.TryGetValue(user, out var pinProposed);
            var now = Router.RouteOf(domain, bucket, pinNow, current);
            var then = Router.RouteOf(domain, bucket, pinProposed, proposed);
            var flags = FlagsOf(now.Route == Route.Unified, then.Route == Route.Unified)
                | (then.Reason is RouteReason.OverrideUnified or RouteReason.OverrideLegacy ? UserFlags.Pinned : 0);

            if (!domains.TryGetValue(domain, out var tally))
            {
                domains[domain] = tally = new Tally();
            }

            tally.Add(flags, requests);
            totals.Requests.Add(flags, requests);

            // Over all domains a user is on unified if in any domain, and moves if it moves in any.
            users[user] = users.GetValueOrDefault(user) | flags;
        }

        foreach (var flags in users.Values)
        {
            totals.CountUser(flags);
        }

        return new Simulation(
            [.. domains.OrderBy(static d => d.Key, StringComparer.Ordinal)
                .Select(d => new DomainSimulation(
                    d.Key,
                    current.Topology.IsProtected(d.Key),
                    PercentOf(d.Key, current),
                    PercentOf(d.Key, proposed),
                    d.Value.ToCounts()))],
            totals.ToCounts());
    }

    /// <summary>The route pins only: a pin of the domain alone leaves the route to the bucket.</summary>
    private static Dictionary<string, UserOverride> PinsOf(RoutingState state, Func<string, string> storedKeyOf)
    {
        var pins = new Dictionary<string, UserOverride>(StringComparer.Ordinal);
        foreach (var (user, pin) in state.Overrides)
        {
            if (pin.Route is not null)
            {
                pins[storedKeyOf(user)] = pin;
            }
        }

        return pins;
    }

    private static UserFlags FlagsOf(bool unifiedNow, bool unifiedProposed) =>
        (unifiedNow ? UserFlags.UnifiedNow : 0)
        | (unifiedProposed ? UserFlags.UnifiedProposed : 0)
        | (!unifiedNow && unifiedProposed ? UserFlags.ToUnified : 0)
        | (unifiedNow && !unifiedProposed ? UserFlags.ToLegacy : 0);

    private static decimal PercentOf(string domain, RoutingSnapshot snapshot) =>
        snapshot.State.Enabled && snapshot.ThresholdOf(domain) is >= 0 and var threshold ? threshold / 100m : 0m;

    [Flags]
    private enum UserFlags
    {
        None = 0,
        UnifiedNow = 1,
        UnifiedProposed = 2,
        ToUnified = 4,
        ToLegacy = 8,
        Pinned = 16,
    }

    /// <summary>Requests are added per (user, domain); users are counted once per tally.</summary>
    private sealed class Tally
    {
        private long _users;
        private long _unifiedUsersNow;
        private long _unifiedUsersProposed;
        private long _usersToUnified;
        private long _usersToLegacy;
        private long _pinnedUsers;

        public RequestTally Requests { get; } = new();

        public void Add(UserFlags flags, long requests)
        {
            CountUser(flags);
            Requests.Add(flags, requests);
        }

        public void CountUser(UserFlags flags)
        {
            _users++;
            _unifiedUsersNow += flags.HasFlag(UserFlags.UnifiedNow) ? 1 : 0;
            _unifiedUsersProposed += flags.HasFlag(UserFlags.UnifiedProposed) ? 1 : 0;
            _usersToUnified += flags.HasFlag(UserFlags.ToUnified) ? 1 : 0;
            _usersToLegacy += flags.HasFlag(UserFlags.ToLegacy) ? 1 : 0;
            _pinnedUsers += flags.HasFlag(UserFlags.Pinned) ? 1 : 0;
        }

        public SimulationCounts ToCounts() => new(
            _users, Requests.All, _unifiedUsersNow, Requests.UnifiedNow, _unifiedUsersProposed, Requests.UnifiedProposed,
            _usersToUnified, Requests.ToUnified, _usersToLegacy, Requests.ToLegacy, _pinnedUsers);
    }

    private sealed class RequestTally
    {
        public long All { get; private set; }

        public long UnifiedNow { get; private set; }

        public long UnifiedProposed { get; private set; }

        public long ToUnified { get; private set; }

        public long ToLegacy { get; private set; }

        public void Add(UserFlags flags, long requests)
        {
            All += requests;
            UnifiedNow += flags.HasFlag(UserFlags.UnifiedNow) ? requests : 0;
            UnifiedProposed += flags.HasFlag(UserFlags.UnifiedProposed) ? requests : 0;
            ToUnified += flags.HasFlag(UserFlags.ToUnified) ? requests : 0;
            ToLegacy += flags.HasFlag(UserFlags.ToLegacy) ? requests : 0;
        }
    }
}
