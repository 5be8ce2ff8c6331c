using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Tests.Support;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Routing;

public sealed class PercentSimulatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RouterTopology Topology = TestTopology.Create();
    private static readonly UserKeyHasher Hasher = UserKeyHasher.Keyed("0123456789abcdef0123456789abcdef"u8);

    [Fact]
    public void Simulate_Raise10To25_MovesExactlyTheBucketsBetweenUp_OnlyInRoutableDomains()
    {
        // arrange: one user per bucket 0..9999 in jobs, the same in mobility (protected) and default (not routable)
        var activity = Enumerable.Range(0, Bucketing.BucketCount)
            .SelectMany(b => new[] { new UserActivity($"u{b}", "jobs", b, 2), new UserActivity($"u{b}", "mobility", b, 1), new UserActivity($"u{b}", "default", b, 1) })
            .ToList();

        // act
        var s = Simulate(activity, State(10), State(25));

        // assert
        var jobs = Domain(s, "jobs");
        Assert.Equal((10m, 25m), (jobs.PercentNow, jobs.PercentProposed));
        Assert.Equal(new SimulationCounts(10_000, 20_000, 1_000, 2_000, 2_500, 5_000, 1_500, 3_000, 0, 0, 0), jobs.Counts);
        Assert.Equal(new SimulationCounts(10_000, 10_000, 0, 0, 0, 0, 0, 0, 0, 0, 0), Domain(s, "mobility").Counts);
        Assert.True(Domain(s, "mobility").Protected);
        Assert.Equal((0m, 0m, 0L), (Domain(s, "default").PercentNow, Domain(s, "default").PercentProposed, Domain(s, "default").Counts.UsersToUnified));
        Assert.Equal(new SimulationCounts(10_000, 40_000, 1_000, 2_000, 2_500, 5_000, 1_500, 3_000, 0, 0, 0), s.Totals);
    }

    [Fact]
    public void Simulate_Lower25To10_MovesTheSameUsersBack()
    {
        var activity = Enumerable.Range(0, Bucketing.BucketCount).Select(b => new UserActivity($"u{b}", "marketplace", b, 3)).ToList();

        var s = Simulate(activity, State(25), State(10));

        Assert.Equal((0L, 0L, 1_500L, 4_500L), (s.Totals.UsersToUnified, s.Totals.RequestsToUnified, s.Totals.UsersToLegacy, s.Totals.RequestsToLegacy));
        Assert.Equal((2_500L, 1_000L), (s.Totals.UnifiedUsersNow, s.Totals.UnifiedUsersProposed));
    }

    [Fact]
    public void Simulate_OneDomainsPercent_MovesOnlyThatDomain_AndADomainWithItsOwnPercentIgnoresTheGlobalOne()
    {
        var activity = Enumerable.Range(0, 100)
            .SelectMany(i => new[] { new UserActivity($"u{i}", "jobs", i * 100, 1), new UserActivity($"u{i}", "marketplace", i * 100, 1) })
            .ToList();
        var current = State(10);

        var jobsOnly = Propose(current, new RoutingChange.SetPercent(50, "jobs"));
        var globalWithOwn = Propose(current with { DomainPercents = Own("marketplace", 10) }, new RoutingChange.SetPercent(50, null));

        var a = Simulate(activity, current, jobsOnly);
        var b = Simulate(activity, current with { DomainPercents = Own("marketplace", 10) }, globalWithOwn);
        Assert.Equal((40L, 0L), (Domain(a, "jobs").Counts.UsersToUnified, Domain(a, "marketplace").Counts.UsersToUnified));
        Assert.Equal((40L, 0L), (Domain(b, "jobs").Counts.UsersToUnified, Domain(b, "marketplace").Counts.UsersToUnified));
        Assert.Equal(10m, Domain(b, "marketplace").PercentProposed);
    }

    [Fact]
    public void Simulate_RoutePinsHoldUsersInPlace_UnderTheStoredKey_ButADomainPinLeavesTheRouteToTheBucket()
    {
        // arrange: three users in bucket 1500, which 25% moves; the log keeps hashed keys, the state raw ones
        var state = State(10) with
        {
            Overrides = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [
                new KeyValuePair<string, UserOverride>("pinned-legacy", new UserOverride(Route.Legacy, null, "alice", "QA", Now)),
                new KeyValuePair<string, UserOverride>("domain-only", new UserOverride(null, "jobs", "alice", "QA", Now)),
            ]),
        };
        UserActivity[] activity =
        [
            new(Hasher.Protect("pinned-legacy")!, "jobs", 1500, 4),
            new(Hasher.Protect("domain-only")!, "jobs", 1500, 2),
            new(Hasher.Protect("free")!, "jobs", 1500, 1),
        ];

        // act
        var s = PercentSimulator.Simulate(activity, Snapshot(state), Snapshot(Propose(state, new RoutingChange.SetPercent(25, null))),
            k => Hasher.Protect(k)!);

        // assert
        var jobs = Domain(s, "jobs").Counts;
        Assert.Equal((2L, 3L, 1L), (jobs.UsersToUnified, jobs.RequestsToUnified, jobs.PinnedUsers));
    }

    [Fact]
    public void Simulate_Disabled_NothingIsOnUnifiedAndNothingMoves()
    {
        var activity = Enumerable.Range(0, 1000).Select(b => new UserActivity($"u{b}", "jobs", b * 10, 1)).ToList();
        var off = State(10) with { Enabled = false };

        var s = Simulate(activity, off, off with { Percent = 100 });

        Assert.Equal(new SimulationCounts(1000, 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0), s.Totals);
        Assert.Equal((0m, 0m), (Domain(s, "jobs").PercentNow, Domain(s, "jobs").PercentProposed));
    }

    [Fact]
    public void Simulate_UserInTwoDomains_CountsOnceOverAll_AndMovesIfItMovesInEither()
    {
        // jobs follows the global percent; marketplace has its own 50%, so the user is already on unified there
        var current = State(10) with { DomainPercents = Own("marketplace", 50) };
        UserActivity[] activity = [new("a", "jobs", 2000, 1), new("a", "marketplace", 2000, 5), new("a", "jobs", 2000, 2)];

        var s = Simulate(activity, current, Propose(current, new RoutingChange.SetPercent(25, null)));

        Assert.Equal((1L, 8L), (s.Totals.Users, s.Totals.Requests));
        Assert.Equal((1L, 1L, 1L, 3L), (s.Totals.UnifiedUsersNow, s.Totals.UnifiedUsersProposed, s.Totals.UsersToUnified, s.Totals.RequestsToUnified));
        Assert.Equal((1L, 3L), (Domain(s, "jobs").Counts.Users, Domain(s, "jobs").Counts.Requests)); // the two jobs rows merged
    }

    [Fact]
    public void Simulate_MakingADomainRoutable_MovesItsUsersBelowTheThreshold()
    {
        var current = State(30);
        var activity = Enumerable.Range(0, 100).Select(i => new UserActivity($"u{i}", "default", i * 100, 1)).ToList();

        var proposed = Propose(current, new RoutingChange.SetRoutable("default", true), new RoutingChange.SetPercent(30, null));
        var s = Simulate(activity, current, proposed);

        Assert.Equal((30L, 0m, 30m), (Domain(s, "default").Counts.UsersToUnified, Domain(s, "default").PercentNow, Domain(s, "default").PercentProposed));
    }

    [Fact]
    public void Simulate_DomainTheTopologyNoLongerHas_StaysOnLegacyAndIsStillListed()
    {
        var s = Simulate([new UserActivity("a", "travel", 1, 1)], State(10), State(100));

        Assert.Equal((1L, 0L), (Domain(s, "travel").Counts.Users, Domain(s, "travel").Counts.UsersToUnified));
        Assert.Equal(Topology.Domains.Count + 1, s.Domains.Count);
        Assert.Equal(s.Domains.Select(static d => d.Domain).Order(StringComparer.Ordinal), s.Domains.Select(static d => d.Domain));
    }

    [Fact]
    public void Propose_ProtectedOrUnknownDomain_RefusedAsARealChangeWouldBe()
    {
        var state = State(10);

        var protectedDomain = PercentSimulator.Propose(state, [new RoutingChange.SetPercent(25, "mobility")], Topology);
        var unknown = PercentSimulator.Propose(state, [new RoutingChange.SetPercent(25, "travel")], Topology);
        var fine = PercentSimulator.Propose(state, [new RoutingChange.SetPercent(25, "jobs"), new RoutingChange.SetPercent(12.5m, null)], Topology);

        Assert.Equal(ChangeError.ProtectedDomain, protectedDomain.Error);
        Assert.Equal(ChangeError.UnknownDomain, unknown.Error);
        Assert.Equal((25m, 12.5m), (fine.Next!.DomainPercents["jobs"], fine.Next.Percent));
    }

    /// <summary>
    /// The property that matters: route real webhooks through <see cref="Router"/> before and after the change, and the
    /// users that actually move are exactly as many as the simulation of the first run's log said, in every domain.
    /// </summary>
    [Theory]
    [InlineData("10", "25")]
    [InlineData("25", "10")]
    [InlineData("0", "100")]
    [InlineData("33.33", "33.34")]
    public void Simulate_AgreesWithTheRouter_OnWhoMoves(string from, string to)
    {
        // arrange: 3,000 users, each writing about one domain (or nothing a rule knows), some twice, some with a pin
        var texts = new[] { "any job?", "buy shoes", "a house to rent", "I need a taxi", "hello" };
        var users = Enumerable.Range(0, 3000).Select(static i => $"2507{i * 7919 % 100_000_000:D8}").ToArray();
        var current = State(decimal.Parse(from, CultureInfo.InvariantCulture)) with
        {
            Overrides = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
                users.Take(20).Select((u, i) => new KeyValuePair<string, UserOverride>(u,
                    new UserOverride(i % 2 == 0 ? Route.Unified : Route.Legacy, null, "alice", "QA", Now)))),
        };
        var proposed = Propose(current, new RoutingChange.SetPercent(decimal.Parse(to, CultureInfo.InvariantCulture), null));
        var messages = users.SelectMany((u, i) => Enumerable.Repeat((User: u, Text: texts[i % texts.Length]), 1 + (i % 3 == 0 ? 1 : 0))).ToList();

        // act
        var before = RouteAll(messages, Snapshot(current));
        var activity = before.GroupBy(static d => (d.User, d.Domain))
            .Select(static g => new UserActivity(Hasher.Protect(g.Key.User)!, g.Key.Domain, g.First().Bucket, g.Count()));
        var s = PercentSimulator.Simulate(activity, Snapshot(current), Snapshot(proposed), k => Hasher.Protect(k)!);
        var after = RouteAll(messages, Snapshot(proposed));

        // assert
        var was = before.ToLookup(static d => (d.User, d.Domain)).ToDictionary(static g => g.Key, static g => g.First().Route);
        foreach (var domain in texts.Select(t => before.First(d => d.Text == t).Domain))
        {
            var moved = after.Where(d => d.Domain == domain).Select(static d => (d.User, d.Domain, d.Route)).Distinct().ToList();
            var up = moved.Count(m => was[(m.User, m.Domain)] == Route.Legacy && m.Route == Route.Unified);
            var down = moved.Count(m => was[(m.User, m.Domain)] == Route.Unified && m.Route == Route.Legacy);
            Assert.Equal((domain, up, down), (domain, (int)Domain(s, domain).Counts.UsersToUnified, (int)Domain(s, domain).Counts.UsersToLegacy));
        }

        // Each user wrote about one domain only, so over all domains the moves add up.
        Assert.Equal(s.Domains.Sum(static d => d.Counts.UsersToUnified), s.Totals.UsersToUnified);
        Assert.Equal(s.Domains.Sum(static d => d.Counts.UsersToLegacy), s.Totals.UsersToLegacy);
    }

    private static List<(string User, string Text, string Domain, int Bucket, Route Route)> RouteAll(
        IReadOnlyList<(string User, string Text)> messages, RoutingSnapshot snapshot)
    {
        // A fresh memory per run, so that each run classifies the same way.
        var memory = new ConversationMemory(10_000, TimeSpan.FromMinutes(30));
        var decided = new List<(string, string, string, int, Route)>();
        foreach (var (user, text) in messages)
        {
            var body = $$$"""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"999"},"messages":[{"from":"{{{user}}}","id":"wamid.1","type":"text","text":{"body":"{{{text}}}"}}]},"field":"messages"}]}]}""";
            var parsed = new ParsedWebhook();
            Assert.True(WebhookParser.TryParse(Encoding.UTF8.GetBytes(body), parsed, out var error), error);
            var decisions = new UpdateDecision[1];
            Router.Decide(parsed, snapshot, memory, Now, decisions);
            decided.Add((user, text, decisions[0].Domain, decisions[0].Bucket, decisions[0].Route));
        }

        return decided;
    }

    private static Simulation Simulate(IEnumerable<UserActivity> activity, RoutingState current, RoutingState proposed) =>
        PercentSimulator.Simulate(activity, Snapshot(current), Snapshot(proposed), static k => k);

    private static RoutingState Propose(RoutingState state, params RoutingChange[] changes)
    {
        var outcome = PercentSimulator.Propose(state, changes, Topology);
        Assert.True(outcome.Succeeded, outcome.Message);
        return outcome.Next!;
    }

    private static RoutingSnapshot Snapshot(RoutingState state) => RoutingSnapshot.Create(Topology, state);

    private static RoutingState State(decimal percent) => TestTopology.State(percent);

    private static DomainSimulation Domain(Simulation s, string name) => Assert.Single(s.Domains, d => d.Domain == name);

    private static ImmutableSortedDictionary<string, decimal> Own(string domain, decimal percent) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, decimal>(domain, percent)]);
}
