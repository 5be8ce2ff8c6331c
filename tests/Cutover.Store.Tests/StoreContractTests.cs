using System.Collections.Immutable;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;

namespace Cutover.Store.Tests;

/// <summary>
/// What every store must do, whatever its engine. Each provider's test class derives from this and
/// supplies a fresh, empty store per test.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    protected ICutoverStore Store { get; private set; } = null!;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync(Cancel);
    }

    public virtual async ValueTask DisposeAsync() => await Store.DisposeAsync();

    protected abstract Task<ICutoverStore> CreateStoreAsync();

    [Fact]
    public async Task MigrateAsync_Twice_AppliesNothingTheSecondTime()
    {
        var version = await Store.SchemaVersionAsync(Cancel);

        var applied = await Store.MigrateAsync(Cancel);

        Assert.Equal(0, applied);
        Assert.True(version >= 1);
        Assert.Equal(version, await Store.SchemaVersionAsync(Cancel));
    }

    [Fact]
    public async Task LoadRoutingStateAsync_Empty_StoresInitialOnce()
    {
        var initial = Initial();

        var first = await Store.LoadRoutingStateAsync(initial, Cancel);
        var second = await Store.LoadRoutingStateAsync(initial with { Percent = 99 }, Cancel);

        Assert.Equal(0m, first.Percent);
        Assert.Equal(0m, second.Percent);
        Assert.Equal(["jobs", "marketplace", "property"], second.Routable);
        Assert.Equal(initial.Version, await Store.RoutingVersionAsync(Cancel));
    }

    [Fact]
    public async Task TryCommitRoutingAsync_ExpectedVersion_StoresStateAndAudit()
    {
        var initial = await Store.LoadRoutingStateAsync(Initial(), Cancel);
        var next = initial with
        {
            Percent = 12.5m,
            Enabled = false,
            Version = initial.Version + 1,
            DomainPercents = initial.DomainPercents.SetItem("jobs", 35m),
            Routable = initial.Routable.Remove("property"),
            Overrides = initial.Overrides.SetItem("250788000001", new UserOverride(Route.Unified, "jobs", "alice", "QA phone", Now)),
            UpdatedAt = Now,
        };
        var audit = new AuditEvent(0, Now, AuditKinds.Percent, "alice", "week 6", """{"percent":0}""", """{"percent":12.5}""");
        var routable = new AuditEvent(0, Now, AuditKinds.Routable, "alice", "week 6", """{"property":true}""", """{"property":false}""");

        var committed = await Store.TryCommitRoutingAsync(initial.Version, next, [audit, routable], Cancel);

        var loaded = await Store.LoadRoutingStateAsync(Initial(), Cancel);
        Assert.Equal((12.5m, false, next.Version, Now), (loaded.Percent, loaded.Enabled, loaded.Version, loaded.UpdatedAt));
        Assert.Equal(35m, loaded.DomainPercents["jobs"]);
        Assert.Equal(["jobs", "marketplace"], loaded.Routable);
        Assert.Equal(new UserOverride(Route.Unified, "jobs", "alice", "QA phone", Now), loaded.Overrides["250788000001"]);
        var history = await Store.HistoryAsync(new HistoryQuery(), Cancel);
        Assert.Equal(2, history.Count);
        var stored = history[1];
        Assert.Equal((AuditKinds.Percent, "alice", "week 6", Now), (stored.Kind, stored.Actor, stored.Reason, stored.At));
        Assert.Equal("""{"percent":12.5}""", stored.After);
        Assert.True(stored.Id > 0);
        Assert.Equal(history.Reverse().Select(static e => e.Id), committed!.Select(static e => e.Id));
        Assert.Equal(audit with { Id = stored.Id }, committed![0]);
    }

    [Fact]
    public async Task TryCommitRoutingAsync_StaleVersion_WritesNothing()
    {
        var initial = await Store.LoadRoutingStateAsync(Initial(), Cancel);
        var audit = new AuditEvent(0, Now, AuditKinds.Enable, "bob", "x", null, null);

        var committed = await Store.TryCommitRoutingAsync(initial.Version + 5, initial with { Percent = 50, Version = 99 }, [audit], Cancel);

        Assert.Null(committed);
        Assert.Equal(0m, (await Store.LoadRoutingStateAsync(Initial(), Cancel)).Percent);
        Assert.Empty(await Store.HistoryAsync(new HistoryQuery(), Cancel));
    }

    [Fact]
    public async Task AppendAuditAsync_StoresTheEventAlone_InTheTrailWithTheRoutingChanges_StateUntouched()
    {
        // arrange: a routing change first, so the appended event lands in the same trail after it
        var state = await Store.LoadRoutingStateAsync(Initial(), Cancel);
        Assert.NotNull(await Store.TryCommitRoutingAsync(state.Version, state with { Percent = 10, Version = state.Version + 1 },
            [new AuditEvent(0, Now, AuditKinds.Percent, "alice", "start", """{"percent":0}""", """{"percent":10}""")], Cancel));
        var replay = new AuditEvent(0, Now.AddMinutes(1), AuditKinds.DlqReplay, "bob", "unified is back", null, """{"replayed":2,"ids":[7,9],"to":"legacy"}""");

        // act
        var stored = await Store.AppendAuditAsync(replay, Cancel);

        // assert
        Assert.True(stored.Id > 0);
        Assert.Equal(replay with { Id = stored.Id }, stored);
        var history = await Store.HistoryAsync(new HistoryQuery(), Cancel);
        Assert.Equal([AuditKinds.DlqReplay, AuditKinds.Percent], history.Select(static e => e.Kind));
        Assert.Equal(stored, history[0]);
        Assert.Equal([stored], await Store.HistoryAsync(new HistoryQuery(Kind: AuditKinds.DlqReplay), Cancel));
        Assert.Equal(state.Version + 1, await Store.RoutingVersionAsync(Cancel)); // the routing state did not move
    }

    [Fact]
    public async Task HistoryAsync_FiltersAndOrdersNewestFirst()
    {
        var state = await Store.LoadRoutingStateAsync(Initial(), Cancel);
        for (var i = 1; i <= 5; i++)
        {
            var next = state with { Percent = i, Version = state.Version + 1 };
            var kind = i % 2 == 0 ? AuditKinds.Disable : AuditKinds.Percent;
            Assert.NotNull(await Store.TryCommitRoutingAsync(state.Version, next, [new AuditEvent(0, Now.AddMinutes(i), kind, "alice", $"step {i}", null, null)], Cancel));
            state = next;
        }

        var all = await Store.HistoryAsync(new HistoryQuery(), Cancel);
        var percents = await Store.HistoryAsync(new HistoryQuery(Kind: AuditKinds.Percent), Cancel);
        var recent = await Store.HistoryAsync(new HistoryQuery(Limit: 2, Since: Now.AddMinutes(2)), Cancel);

        Assert.Equal(["step 5", "step 4", "step 3", "step 2", "step 1"], all.Select(static e => e.Reason));
        Assert.Equal(["step 5", "step 3", "step 1"], percents.Select(static e => e.Reason));
        Assert.Equal(["step 5", "step 4"], recent.Select(static e => e.Reason));
    }

    [Fact]
    public async Task WriteDecisionsAsync_RoundTripsEveryField()
    {
        DecisionRecord[] batch =
        [
            new(Now, "c1", "wamid.1", "hash-a", UpdateKind.Message, "jobs", ClassificationRule.Keyword, 1234, Route.Unified, "unified", "jobs-agent",
                true, 200, 12.5, null, false),
            new(Now.AddSeconds(1), "c2", null, null, UpdateKind.Change, "default", ClassificationRule.Field, -1, Route.Legacy, "jobs", null,
                false, 503, 3000, "unified failed with 503", true),

            // Text beyond ASCII and longer than any buffer a writer starts with comes back as it went in.
            new(Now.AddSeconds(2), "c3", "wamid.é✓", "clé-🚀", UpdateKind.Message, "property", ClassificationRule.Keyword, 9999, Route.Legacy,
                "property", "agent-ñ", false, 500, 1.25, "échoué: " + new string('x', 5000) + " 🚀", false),
        ];

        await Store.WriteDecisionsAsync(batch, Cancel);

        var read = await Store.QueryDecisionsAsync(new DecisionQuery(), Cancel);
        Assert.Equal(batch.Reverse(), read);
    }

    [Fact]
    public async Task QueryDecisionsAsync_FiltersByTimeAndUser()
    {
        var batch = Enumerable.Range(0, 100).Select(i => new DecisionRecord(Now.AddSeconds(i), $"c{i}", $"m{i}", i % 10 == 0 ? "ten" : "other",
            UpdateKind.Message, "jobs", ClassificationRule.Keyword, i, Route.Legacy, "jobs", null, true, 200, 1, null, false)).ToList();
        await Store.WriteDecisionsAsync(batch, Cancel);

        var window = await Store.QueryDecisionsAsync(new DecisionQuery(Since: Now.AddSeconds(10), Until: Now.AddSeconds(20)), Cancel);
        var user = await Store.QueryDecisionsAsync(new DecisionQuery(UserKey: "ten"), Cancel);

        Assert.Equal(Enumerable.Range(10, 10).Reverse().Select(static i => $"c{i}"), window.Select(static d => d.CorrelationId));
        Assert.Equal(10, user.Count);
    }

    [Fact]
    public async Task ReadUserActivityAsync_GroupsByUserAndDomainInTheWindow_SkippingWhatNoBucketRoutes()
    {
        // arrange: user a three times in jobs and once in marketplace, b once; around them what a bucket never routes
        // (no user key, no bucket, a change of another field) and decisions just outside [from, to)
        DecisionRecord Decision(int second, string? user, string domain, int bucket, ClassificationRule rule = ClassificationRule.Keyword) =>
            new(Now.AddSeconds(second), $"c{second}", null, user, rule == ClassificationRule.Field ? UpdateKind.Change : UpdateKind.Message,
                domain, rule, bucket, Route.Legacy, domain, null, true, 200, 1, null, false);
        await Store.WriteDecisionsAsync(
        [
            Decision(-1, "a", "jobs", 42),
            Decision(0, "a", "jobs", 42),
            Decision(1, "a", "jobs", 42, ClassificationRule.Memory),
            Decision(2, "a", "marketplace", 42),
            Decision(3, "b", "jobs", 7),
            Decision(4, "b", "default", 7, ClassificationRule.Field),
            Decision(5, null, "jobs", -1),
            Decision(6, "c", "jobs", -1),
            Decision(7, "a", "jobs", 42, ClassificationRule.Override),
            Decision(10, "a", "jobs", 42),
        ], Cancel);

        // act
        var rows = await Store.ReadUserActivityAsync(Now, Now.AddSeconds(10), Cancel);

        // assert
        Assert.Equal(
            [new UserActivity("a", "jobs", 42, 3), new UserActivity("a", "marketplace", 42, 1), new UserActivity("b", "jobs", 7, 1)],
            rows.OrderBy(static r => r.UserKey, StringComparer.Ordinal).ThenBy(static r => r.Domain, StringComparer.Ordinal));
        Assert.Empty(await Store.ReadUserActivityAsync(Now.AddSeconds(11), Now.AddSeconds(20), Cancel));
    }

    [Fact]
    public async Task CountUsersAsync_DistinctUsersPerDomainAndOnUnified_SkippingWhatNoBucketRoutesAndTheExcluded()
    {
        // arrange: in jobs a (legacy ×2), b (unified ×3), c (legacy, then unified after an override came and went), d
        // (unified, excluded below); in marketplace a (unified); around them what a bucket never routes and decisions
        // just outside [from, to)
        DecisionRecord Decision(int second, string? user, string domain, Route route, int bucket = 5, ClassificationRule rule = ClassificationRule.Keyword) =>
            new(Now.AddSeconds(second), $"c{second}", null, user, rule == ClassificationRule.Field ? UpdateKind.Change : UpdateKind.Message,
                domain, rule, bucket, route, route == Route.Unified ? "unified" : domain, null, true, 200, 1, null, false);
        await Store.WriteDecisionsAsync(
        [
            Decision(-1, "e", "jobs", Route.Unified),
            Decision(0, "a", "jobs", Route.Legacy),
            Decision(1, "a", "jobs", Route.Legacy, rule: ClassificationRule.Memory),
            Decision(2, "b", "jobs", Route.Unified),
            Decision(3, "b", "jobs", Route.Unified),
            Decision(4, "b", "jobs", Route.Unified, rule: ClassificationRule.Override),
            Decision(5, "c", "jobs", Route.Legacy),
            Decision(6, "c", "jobs", Route.Unified),
            Decision(7, "d", "jobs", Route.Unified),
            Decision(8, "a", "marketplace", Route.Unified),
            Decision(9, "f", "default", Route.Unified, rule: ClassificationRule.Field),
            Decision(9, null, "jobs", Route.Legacy, bucket: -1),
            Decision(9, "g", "jobs", Route.Legacy, bucket: -1),
            Decision(10, "h", "jobs", Route.Unified),
        ], Cancel);

        // act
        var all = await Store.CountUsersAsync(Now, Now.AddSeconds(10), [], Cancel);
        var withoutD = await Store.CountUsersAsync(Now, Now.AddSeconds(10), ["d", "someone-unseen"], Cancel);

        // assert
        Assert.Equal(
            [new DomainUsers("jobs", 4, 3), new DomainUsers("marketplace", 1, 1)],
            all.OrderBy(static r => r.Domain, StringComparer.Ordinal));
        Assert.Equal(
            [new DomainUsers("jobs", 3, 2), new DomainUsers("marketplace", 1, 1)],
            withoutD.OrderBy(static r => r.Domain, StringComparer.Ordinal));
        Assert.Empty(await Store.CountUsersAsync(Now.AddSeconds(11), Now.AddSeconds(20), ["d"], Cancel));
    }

    [Fact]
    public async Task CountDecisionsAsync_FromAnExactTime_PerSliceDomainAndRouteWithFailuresAndSlowOnesAsRollupsCountThem()
    {
        // arrange: decisions every few hundred milliseconds around a change at 09:00:02.5, on both routes of jobs and
        // legacy of marketplace; a failure, a fallback (a failure for health), one slower than the warning p95 (2 s)
        // and one slower than the critical (3 s)
        DecisionRecord Decision(int ms, string domain, Route route, bool success = true, bool fallback = false, double latency = 100) =>
            new(Now.AddMilliseconds(ms), $"c{ms}", null, "u", UpdateKind.Message, domain, ClassificationRule.Keyword, 5, route,
                route == Route.Unified ? "unified" : domain, null, success, success ? 200 : 502, latency, success ? null : "502", fallback);
        await Store.WriteDecisionsAsync(
        [
            Decision(2_499, "jobs", Route.Unified, success: false), // before the change: not counted
            Decision(2_500, "jobs", Route.Unified),
            Decision(3_000, "jobs", Route.Unified, success: false),
            Decision(4_999, "jobs", Route.Legacy, latency: 2_500),
            Decision(5_000, "jobs", Route.Unified, fallback: true, latency: 3_500),
            Decision(6_000, "jobs", Route.Unified, latency: 2_000), // not above the warning: counted as fast
            Decision(7_000, "marketplace", Route.Legacy),
            Decision(12_000, "jobs", Route.Unified, success: false), // at the end of the range: not counted
        ], Cancel);

        // act
        var slices = await Store.CountDecisionsAsync(Now.AddMilliseconds(2_500), Now.AddSeconds(12), TimeSpan.FromSeconds(5), 2_000, 3_000, Cancel);

        // assert: slices start on multiples of 5 s (09:00:00 and 09:00:05), whatever the range's start
        var t = Now.ToUnixTimeMilliseconds();
        Assert.Equal(
            [
                new DecisionSlice(t, "jobs", Route.Legacy, 1, 0, 1, 0),
                new DecisionSlice(t, "jobs", Route.Unified, 2, 1, 0, 0),
                new DecisionSlice(t + 5_000, "jobs", Route.Unified, 2, 1, 1, 1),
                new DecisionSlice(t + 5_000, "marketplace", Route.Legacy, 1, 0, 0, 0),
            ],
            slices.OrderBy(static s => s.StartMs).ThenBy(static s => s.Domain, StringComparer.Ordinal).ThenBy(static s => s.Route));
        Assert.Empty(await Store.CountDecisionsAsync(Now.AddSeconds(13), Now.AddSeconds(20), TimeSpan.FromSeconds(5), 2_000, 3_000, Cancel));
    }

    [Fact]
    public async Task WriteDecisionsAsync_AddsToMinuteAndHourRollupsAcrossBatches()
    {
        // arrange: two batches touching the same minute, one record in the next minute, a fallback and a failure
        DecisionRecord Decision(int second, string handler, bool success = true, bool fallback = false, double ms = 10) =>
            new(Now.AddSeconds(second), $"c{second}", null, "u", UpdateKind.Message, "jobs", ClassificationRule.Keyword, 1, Route.Unified,
                "unified", handler, success, success ? 200 : 503, ms, null, fallback);

        // act
        await Store.WriteDecisionsAsync([Decision(1, "agent-a", ms: 10), Decision(2, "agent-a", fallback: true, ms: 30)], Cancel);
        await Store.WriteDecisionsAsync([Decision(3, "agent-a", success: false, ms: 20), Decision(61, "agent-b", ms: 40)], Cancel);

        // assert
        var minutes = await Store.ReadRollupsAsync(Rollups.Minute, Now, Now.AddMinutes(2), Cancel);
        var first = Assert.Single(minutes, static r => r.Handler == "agent-a");
        Assert.Equal((Now.ToUnixTimeMilliseconds(), 3L, 2L, 1L), (first.PeriodStartMs, first.Requests, first.Errors, first.Fallbacks));
        Assert.Equal(Now.AddSeconds(3).ToUnixTimeMilliseconds(), first.LastAtMs);
        var sketch = LatencySketch.FromBytes(first.Latency);
        Assert.Equal((3L, 60.0), (sketch.Count, sketch.Sum));
        Assert.Equal(Now.AddMinutes(1).ToUnixTimeMilliseconds(), Assert.Single(minutes, static r => r.Handler == "agent-b").PeriodStartMs);

        var hours = await Store.ReadRollupsAsync(Rollups.Hour, Now, Now.AddHours(1), Cancel);
        Assert.Equal(4, hours.Sum(static r => r.Requests));
        Assert.All(hours, h => Assert.Equal(Now.ToUnixTimeMilliseconds(), h.PeriodStartMs));
        Assert.Empty(await Store.ReadRollupsAsync(Rollups.Minute, Now.AddMinutes(2), Now.AddMinutes(3), Cancel));
    }

    [Fact]
    public async Task PurgeAsync_DeletesOnlyWhatIsOlderThanEachRetention()
    {
        var batch = Enumerable.Range(0, 10).Select(i => new DecisionRecord(Now.AddDays(-i), $"c{i}", null, "u", UpdateKind.Message, "jobs",
            ClassificationRule.Keyword, 1, Route.Legacy, "jobs", null, true, 200, 1, null, false)).ToList();
        await Store.WriteDecisionsAsync(batch, Cancel);

        var purged = await Store.PurgeAsync(Now.AddDays(-6.5), Now.AddDays(-8.5), Cancel);

        Assert.Equal(3, purged.Decisions); // days 7, 8, 9
        Assert.Equal(7, (await Store.QueryDecisionsAsync(new DecisionQuery(), Cancel)).Count);
        Assert.Equal(2, purged.Rollups); // day 9: one minute row and one hour row
        Assert.Equal(9, (await Store.ReadRollupsAsync(Rollups.Minute, Now.AddDays(-30), Now.AddDays(1), Cancel)).Count);
    }

    [Fact]
    public async Task Rollout_NeverStored_IsIdleAtVersionZero()
    {
        var state = await Store.LoadRolloutAsync(Cancel);

        Assert.Equal((RolloutStatus.Idle, -1, 0L), (state.Status, state.Step, state.Version));
    }

    [Fact]
    public async Task TrySaveRolloutAsync_RoundTripsWithItsEventsAndRollback_AndRefusesAStaleVersion()
    {
        // arrange
        var next = new RolloutState(RolloutStatus.Halted, 2, 0, "jobs", Now, Now.AddHours(8), false, "critical at step 3", 0, Now.AddHours(9));
        AuditEvent[] events = [new(0, Now, "rollback", "system", "critical at step 3", """{"percent":35}""", """{"percent":0}""")];
        var rollback = new RollbackRecord(0, Now, "step 3 (35%)", "jobs", 35, 0, "critical at step 3", "system", """{"error_rate":5.1}""");

        // act
        var stored = await Store.TrySaveRolloutAsync(0, next, events, rollback, Cancel);
        var stale = await Store.TrySaveRolloutAsync(0, next, events, rollback, Cancel);

        // assert
        Assert.NotNull(stored);
        Assert.True(Assert.Single(stored).Id > 0);
        Assert.Null(stale);
        Assert.Equal(next with { Version = 1 }, await Store.LoadRolloutAsync(Cancel));
        var read = Assert.Single(await Store.RollbacksAsync(10, Cancel));
        Assert.Equal(rollback with { Id = read.Id }, read);
        Assert.Equal("rollback", (await Store.HistoryAsync(new HistoryQuery(10), Cancel))[0].Kind);
    }

    [Fact]
    public async Task GetOrCreateSecretAsync_SameSecretEveryTime()
    {
        var first = await Store.GetOrCreateSecretAsync("k", 32, Cancel);
        var second = await Store.GetOrCreateSecretAsync("k", 32, Cancel);
        var other = await Store.GetOrCreateSecretAsync("other", 32, Cancel);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task ReadSecretAsync_MakesNothing_ReadsWhatWasMade()
    {
        var before = await Store.ReadSecretAsync("k", Cancel);
        var made = await Store.GetOrCreateSecretAsync("k", 32, Cancel);

        Assert.Null(before);
        Assert.Equal(made, await Store.ReadSecretAsync("k", Cancel));
        Assert.Null(await Store.ReadSecretAsync("other", Cancel));
    }

    [Fact]
    public async Task DeleteSecretAsync_RemovesOnlyThatSecret_OnceAndForAll()
    {
        var deleted = await Store.GetOrCreateSecretAsync("k", 32, Cancel);
        var kept = await Store.GetOrCreateSecretAsync("other", 32, Cancel);

        Assert.True(await Store.DeleteSecretAsync("k", Cancel));
        Assert.False(await Store.DeleteSecretAsync("k", Cancel));

        Assert.Null(await Store.ReadSecretAsync("k", Cancel));
        Assert.Equal(kept, await Store.ReadSecretAsync("other", Cancel));
        Assert.NotEqual(deleted, await Store.GetOrCreateSecretAsync("k", 32, Cancel));
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_OneHolderAtATime_AndFreeAgainOnDispose()
    {
        var first = await Store.TryAcquireLeaseAsync("controller", Cancel);
        var second = await Store.TryAcquireLeaseAsync("controller", Cancel);
        var other = await Store.TryAcquireLeaseAsync("other", Cancel);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(other);
        Assert.True(await first.IsHeldAsync(Cancel));

        await first.DisposeAsync();
        await using var third = await Store.TryAcquireLeaseAsync("controller", Cancel);
        await other.DisposeAsync();

        Assert.NotNull(third);
        Assert.False(await first.IsHeldAsync(Cancel));
    }

    [Fact]
    public async Task WriteConversationsAsync_KeepsTheNewerEntry_AndReadsOthersInSequenceOrder()
    {
        await Store.WriteConversationsAsync(
        [
            new ConversationEntry("u1", "jobs", Now, "a"),
            new ConversationEntry("u2", "property", Now, "a"),
        ], Cancel);
        await Store.WriteConversationsAsync(
        [
            new ConversationEntry("u1", "marketplace", Now.AddSeconds(5), "b"),
            new ConversationEntry("u2", "jobs", Now.AddSeconds(-5), "b"), // older than what is stored: ignored
        ], Cancel);

        var all = await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel);
        var notFromB = await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "b", 100, Cancel);
        var afterFirst = await Store.ReadConversationsAsync(all[0].Sequence, Now.AddMinutes(-30), "nobody", 100, Cancel);
        var recentOnly = await Store.ReadConversationsAsync(0, Now.AddSeconds(1), "nobody", 100, Cancel);

        Assert.Equal([("u2", "property", "a"), ("u1", "marketplace", "b")], all.Select(e => (e.UserKey, e.Domain, e.Instance)));
        Assert.True(all[0].Sequence < all[1].Sequence);
        Assert.Equal(Now.AddSeconds(5), all[1].SeenAt);
        Assert.Equal("u2", Assert.Single(notFromB).UserKey);
        Assert.Equal("u1", Assert.Single(afterFirst).UserKey);
        Assert.Equal("u1", Assert.Single(recentOnly).UserKey);
        Assert.Equal(1, await Store.PurgeConversationsAsync(Now.AddSeconds(1), Cancel));
        Assert.Equal("u1", Assert.Single(await Store.ReadConversationsAsync(0, Now.AddDays(-1), "nobody", 100, Cancel)).UserKey);
    }

    [Fact]
    public async Task WriteConversationsAsync_Inbound_RoundTripsAndTheNewerWinsOnItsOwnTime()
    {
        var first = new InboundEntry("jobs", "unified", "jobs-unified", Now);
        var older = new InboundEntry("property", "legacy", "legacy-main", Now.AddSeconds(-10));
        var newer = new InboundEntry("marketplace", "legacy", "legacy-main", Now.AddSeconds(10));

        await Store.WriteConversationsAsync([new ConversationEntry("u1", "jobs", Now, "a", Inbound: first)], Cancel);
        var written = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));
        // A newer domain with an older inbound: the domain is taken, the stored inbound stays.
        await Store.WriteConversationsAsync([new ConversationEntry("u1", "property", Now.AddSeconds(5), "b", Inbound: older)], Cancel);
        var afterOlder = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));
        // An older domain with a newer inbound: the inbound is taken, the stored domain stays.
        await Store.WriteConversationsAsync([new ConversationEntry("u1", "jobs", Now.AddSeconds(1), "a", Inbound: newer)], Cancel);
        var afterNewer = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));
        // No inbound at all: the stored one stays.
        await Store.WriteConversationsAsync([new ConversationEntry("u1", "jobs", Now.AddSeconds(20), "b")], Cancel);
        var afterNone = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));

        Assert.Equal(first, written.Inbound);
        Assert.Equal(("property", Now.AddSeconds(5), first), (afterOlder.Domain, afterOlder.SeenAt, afterOlder.Inbound));
        Assert.True(afterOlder.Sequence > written.Sequence);
        Assert.Equal(("property", Now.AddSeconds(5), newer, "a"), (afterNewer.Domain, afterNewer.SeenAt, afterNewer.Inbound, afterNewer.Instance));
        Assert.True(afterNewer.Sequence > afterOlder.Sequence);
        Assert.Equal(("jobs", newer), (afterNone.Domain, afterNone.Inbound));
    }

    [Fact]
    public async Task WriteConversationsAsync_NeitherHalfNewer_RowAndSequenceUnchanged()
    {
        var inbound = new InboundEntry("jobs", "unified", "jobs-unified", Now);
        await Store.WriteConversationsAsync([new ConversationEntry("u1", "jobs", Now, "a", Inbound: inbound)], Cancel);
        var before = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));

        await Store.WriteConversationsAsync(
            [new ConversationEntry("u1", "property", Now.AddSeconds(-1), "b", Inbound: inbound with { Domain = "property", At = Now.AddSeconds(-1) })],
            Cancel);

        Assert.Equal(before, Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel)));
    }

    [Fact]
    public async Task WriteConversationsAsync_EmptyDomain_CarriesOnlyTheInbound_NeverErasesAStoredDomain()
    {
        var inbound = new InboundEntry("default", "legacy", "legacy-main", Now.AddSeconds(30));

        await Store.WriteConversationsAsync([new ConversationEntry("u1", "jobs", Now, "a")], Cancel);
        await Store.WriteConversationsAsync(
        [
            new ConversationEntry("u1", string.Empty, Now.AddSeconds(30), "b", Inbound: inbound),
            new ConversationEntry("u2", string.Empty, Now.AddSeconds(30), "b", Inbound: inbound), // no row yet: stored with no domain
        ], Cancel);
        var stored = await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel);
        // A domain learned later fills the empty one, even seen before the inbound-only entry.
        await Store.WriteConversationsAsync([new ConversationEntry("u2", "property", Now.AddSeconds(10), "a")], Cancel);
        var filled = await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel);

        Assert.Equal(
            [("u1", "jobs", Now, inbound), ("u2", string.Empty, Now.AddSeconds(30), inbound)],
            stored.OrderBy(e => e.UserKey, StringComparer.Ordinal).Select(e => (e.UserKey, e.Domain, e.SeenAt, e.Inbound)));
        Assert.Equal(("property", inbound), filled.Where(e => e.UserKey == "u2").Select(e => (e.Domain, e.Inbound)).Single());
    }

    [Fact]
    public async Task WriteConversationsAsync_OneUserTwiceInABatch_EachHalfTakesItsNewest()
    {
        var older = new InboundEntry("jobs", "unified", "jobs-unified", Now);
        var newer = new InboundEntry("property", "legacy", "legacy-main", Now.AddSeconds(5));

        await Store.WriteConversationsAsync(
        [
            new ConversationEntry("u1", "marketplace", Now.AddSeconds(9), "a", Inbound: older),
            new ConversationEntry("u1", string.Empty, Now.AddSeconds(10), "a", Inbound: newer),
            new ConversationEntry("u1", "jobs", Now.AddSeconds(1), "a"),
        ], Cancel);

        var entry = Assert.Single(await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel));
        Assert.Equal(("marketplace", Now.AddSeconds(9), newer), (entry.Domain, entry.SeenAt, entry.Inbound));
    }

    [Fact]
    public async Task PurgeAndReadConversations_RecentInbound_KeepsAndReturnsTheRowWhoseDomainIsOld()
    {
        await Store.WriteConversationsAsync(
        [
            new ConversationEntry("old", "jobs", Now.AddHours(-2), "a", Inbound: new InboundEntry("jobs", "unified", "jobs-unified", Now.AddHours(-2))),
            new ConversationEntry("routed", "jobs", Now.AddHours(-2), "a", Inbound: new InboundEntry("jobs", "unified", "jobs-unified", Now)),
            new ConversationEntry("exactly", "jobs", Now.AddHours(-2), "a", Inbound: new InboundEntry("jobs", "unified", "jobs-unified", Now.AddHours(-1))),
            new ConversationEntry("seen", "jobs", Now, "a"),
        ], Cancel);

        var recent = await Store.ReadConversationsAsync(0, Now.AddMinutes(-30), "nobody", 100, Cancel);
        var purged = await Store.PurgeConversationsAsync(Now.AddHours(-1), Cancel);
        var left = await Store.ReadConversationsAsync(0, Now.AddDays(-1), "nobody", 100, Cancel);

        Assert.Equal(["routed", "seen"], recent.Select(e => e.UserKey).Order(StringComparer.Ordinal));
        Assert.Equal(1, purged);
        Assert.Equal(["exactly", "routed", "seen"], left.Select(e => e.UserKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteIdentitiesAsync_RoundTripsInSequenceOrder_EmptyBatchWritesNothing()
    {
        await Store.WriteIdentitiesAsync([], Cancel);
        var none = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);
        await Store.WriteIdentitiesAsync(
        [
            new IdentityEntry("+15550001", "+15550001", 4321, Now, "a"),
            new IdentityEntry("US.bsuid.1", "+15550001", 4321, Now.AddSeconds(1), "a"),
        ], Cancel);

        var all = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);

        Assert.Empty(none);
        Assert.Equal(
            [("+15550001", "+15550001", 4321, Now, "a"), ("US.bsuid.1", "+15550001", 4321, Now.AddSeconds(1), "a")],
            all.Select(e => (e.Identifier, e.Person, e.Bucket, e.FirstSeen, e.Instance)));
        Assert.True(all[0].Sequence > 0);
        Assert.True(all[0].Sequence < all[1].Sequence);
    }

    [Fact]
    public async Task WriteIdentitiesAsync_KnownIdentifier_MovesToAPersonSeenEarlier_WithAHigherSequence()
    {
        await Store.WriteIdentitiesAsync(
        [
            new IdentityEntry("US.bsuid.1", "US.bsuid.1", 1, Now, "b"),
            new IdentityEntry("+15550002", "+15550002", 2, Now, "a"),
        ], Cancel);
        var before = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);

        // Instance b learned the BSUID alone a moment after a linked it to a phone first seen a day earlier: the link wins.
        await Store.WriteIdentitiesAsync([new IdentityEntry("US.bsuid.1", "+15550001", 9, Now.AddDays(-1), "a")], Cancel);
        var after = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);

        Assert.Equal(2, after.Count);
        var untouched = after.Single(static e => e.Identifier == "+15550002");
        var moved = after.Single(static e => e.Identifier == "US.bsuid.1");
        Assert.Equal(before.Single(static e => e.Identifier == "+15550002").Sequence, untouched.Sequence);
        Assert.Equal(("+15550001", 9, Now.AddDays(-1), "a"), (moved.Person, moved.Bucket, moved.FirstSeen, moved.Instance));
        Assert.True(moved.Sequence > before.Max(e => e.Sequence));
    }

    [Fact]
    public async Task WriteIdentitiesAsync_APersonSeenLater_DoesNotTakeAnIdentifier_InAnyOrder()
    {
        // b's self link for the BSUID lands after a's link of it to the phone's person, in separate batches and in one.
        await Store.WriteIdentitiesAsync([new IdentityEntry("US.bsuid.1", "+15550001", 9, Now.AddDays(-1), "a")], Cancel);
        await Store.WriteIdentitiesAsync([new IdentityEntry("US.bsuid.1", "US.bsuid.1", 1, Now, "b")], Cancel);
        await Store.WriteIdentitiesAsync(
        [
            new IdentityEntry("US.bsuid.2", "+15550002", 7, Now.AddDays(-1), "a"),
            new IdentityEntry("US.bsuid.2", "US.bsuid.2", 2, Now, "b"),
        ], Cancel);

        var all = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);

        Assert.Equal([("US.bsuid.1", "+15550001", 9), ("US.bsuid.2", "+15550002", 7)],
            all.Select(static e => (e.Identifier, e.Person, e.Bucket)).OrderBy(static e => e.Identifier, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadIdentitiesAsync_ExceptInstance_AfterSequence_AndLimit()
    {
        await Store.WriteIdentitiesAsync([new IdentityEntry("i1", "p", 1, Now, "a"), new IdentityEntry("i2", "p", 1, Now, "b")], Cancel);
        await Store.WriteIdentitiesAsync([new IdentityEntry("i3", "p", 1, Now, "a"), new IdentityEntry("i4", "p", 1, Now, "b")], Cancel);
        var all = await Store.ReadIdentitiesAsync(0, null, 100, Cancel);

        var notFromA = await Store.ReadIdentitiesAsync(0, "a", 100, Cancel);
        var afterSecond = await Store.ReadIdentitiesAsync(all[1].Sequence, null, 100, Cancel);
        var firstTwo = await Store.ReadIdentitiesAsync(0, null, 2, Cancel);
        var atLeastOne = await Store.ReadIdentitiesAsync(0, "b", 0, Cancel);

        Assert.Equal(["i1", "i2", "i3", "i4"], all.Select(e => e.Identifier));
        Assert.Equal(["i2", "i4"], notFromA.Select(e => e.Identifier));
        Assert.Equal(["i3", "i4"], afterSecond.Select(e => e.Identifier));
        Assert.Equal(["i1", "i2"], firstTwo.Select(e => e.Identifier));
        Assert.Equal("i1", Assert.Single(atLeastOne).Identifier);
    }

    [Fact]
    public async Task ReadRecentIdentitiesAsync_TheNewestOnes_OldestFirst()
    {
        await Store.WriteIdentitiesAsync([.. Enumerable.Range(1, 5).Select(n => new IdentityEntry($"i{n}", "p", 1, Now, "a"))], Cancel);
        await Store.WriteIdentitiesAsync([new IdentityEntry("i2", "q", 2, Now, "b")], Cancel); // rewritten: now the newest

        var recent = await Store.ReadRecentIdentitiesAsync(3, Cancel);
        var everything = await Store.ReadRecentIdentitiesAsync(100, Cancel);

        Assert.Equal(["i4", "i5", "i2"], recent.Select(e => e.Identifier));
        Assert.Equal(["i1", "i3", "i4", "i5", "i2"], everything.Select(e => e.Identifier));
    }

    [Fact]
    public async Task FindPersonAsync_EveryIdentifierOfThePerson_FirstSeenFirst_EmptyWhenUnknown()
    {
        await Store.WriteIdentitiesAsync(
        [
            new IdentityEntry("US.parent.1", "+15550001", 7, Now.AddMinutes(5), "a"),
            new IdentityEntry("+15550001", "+15550001", 7, Now, "a"),
            new IdentityEntry("US.bsuid.b", "+15550001", 7, Now.AddMinutes(1), "b"),
            new IdentityEntry("US.bsuid.a", "+15550001", 7, Now.AddMinutes(1), "b"), // same time: by identifier
            new IdentityEntry("+15550002", "+15550002", 8, Now, "a"),
        ], Cancel);

        var byBsuid = await Store.FindPersonAsync("US.bsuid.b", Cancel);
        var other = await Store.FindPersonAsync("+15550002", Cancel);
        var unknown = await Store.FindPersonAsync("+15559999", Cancel);

        Assert.Equal(["+15550001", "US.bsuid.a", "US.bsuid.b", "US.parent.1"], byBsuid.Select(e => e.Identifier));
        Assert.All(byBsuid, e => Assert.Equal(("+15550001", 7), (e.Person, e.Bucket)));
        Assert.Equal("+15550002", Assert.Single(other).Identifier);
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task SaveHealthAsync_KeepsTheLatestVerdict()
    {
        Assert.Null(await Store.LatestHealthAsync(Cancel));
        var first = new HealthReport(Now, HealthState.Ok, [new HealthCheck("error_rate", HealthState.Ok, 0.05, 1, "fine")]);
        var second = new HealthReport(Now.AddSeconds(30), HealthState.Critical,
        [
            new HealthCheck("error_rate", HealthState.Critical, 7.5, 5, "unified fails 7.5% of requests"),
            new HealthCheck("split", HealthState.Ok, null, null, "as configured"),
        ]);

        await Store.SaveHealthAsync(new HealthSnapshot("a", first), Cancel);
        await Store.SaveHealthAsync(new HealthSnapshot("b", second), Cancel);
        var latest = await Store.LatestHealthAsync(Cancel);

        Assert.NotNull(latest);
        Assert.Equal("b", latest.Instance);
        Assert.Equal((second.At, second.State), (latest.Report.At, latest.Report.State));
        Assert.Equal(second.Checks, latest.Report.Checks);
    }

    private static RoutingState Initial() => RoutingState.Initial(["jobs", "marketplace", "property"], Now) with
    {
        DomainPercents = ImmutableSortedDictionary<string, decimal>.Empty.WithComparers(StringComparer.Ordinal),
    };
}
