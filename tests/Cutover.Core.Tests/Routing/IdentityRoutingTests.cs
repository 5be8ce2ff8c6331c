using System.Collections.Immutable;
using Cutover.Core.Classification;
using Cutover.Core.Identity;
using Cutover.Core.Routing;
using Cutover.Core.Tests.Support;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Routing;

/// <summary>
/// One person, one handler (issue 15): the router buckets a person by the identifier seen first whatever identifier an
/// update names them by, applies an override set on any of them, and sends a status where the person's last inbound
/// message went within the conversation window. The users are chosen so that their identifiers' own buckets fall on
/// opposite sides at every percent tested: without identities each assertion on the route would fail.
/// </summary>
public sealed class IdentityRoutingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Bucketing Buckets = TestTopology.Create().Bucketing;

    /// <summary>A phone number in the lowest 10% of buckets: on unified from 10% up.</summary>
    private static readonly string Phone = Find(static i => $"25078{i:D7}", static b => b < 1_000);

    /// <summary>A BSUID in the top 25% of buckets: on legacy up to 75% when bucketed on its own.</summary>
    private static readonly string Bsuid = Find(static i => $"US.{1_000_000 + i}", static b => b >= 7_500);

    /// <summary>A number the same person changes to, in the top 25% as well.</summary>
    private static readonly string NewPhone = Find(static i => $"97291{i:D7}", static b => b >= 7_500);

    private readonly ConversationMemory _conversations = new(1_000, TimeSpan.FromMinutes(30));
    private readonly IdentityMap _identities = new(1_000);
    private readonly RoutingMemory _memory;
    private int _ids;

    public IdentityRoutingTests() => _memory = new RoutingMemory(_conversations, _identities, RoutingMemory.DefaultConversationWindow);

    [Theory]
    [InlineData(10)]
    [InlineData(25)]
    [InlineData(50)]
    [InlineData(75)]
    public void Decide_PhoneThenUsernameOnly_SameBucketAndRouteAndStatusesFollow(int percent)
    {
        var snapshot = TestTopology.Snapshot(percent);
        Assert.True(Buckets.BucketOf(Bsuid) >= Bucketing.ThresholdOf(percent), "the BSUID alone would be on legacy");

        var first = Decide(snapshot, Now, Messages(Text(Phone, Bsuid, "any job for me?")));
        var later = Decide(snapshot, Now.AddMinutes(5), Messages(Text(null, Bsuid, "any other job?")));
        var status = Decide(snapshot, Now.AddMinutes(6), Statuses(Status(null, Bsuid)));

        Assert.Equal((Buckets.BucketOf(Phone), Route.Unified, RouteReason.BucketBelow), (first.Bucket, first.Route, first.Reason));
        Assert.Equal((first.Bucket, Route.Unified, Phone), (later.Bucket, later.Route, later.PersonKey));
        Assert.Equal((ClassificationRule.Conversation, Route.Unified, RouterTopology.UnifiedUpstream, Phone),
            (status.Rule, status.Route, status.Upstream, status.PersonKey));
    }

    [Fact]
    public void Decide_OverrideOnBsuid_AppliesToAnUpdateNamingOnlyThePhone()
    {
        Decide(TestTopology.Snapshot(0), Now, Messages(Text(Phone, Bsuid, "any job?")));
        var pinned = RoutingSnapshot.Create(TestTopology.Create(), TestTopology.State(0) with { Overrides = Pin(Bsuid, Route.Unified) });

        var d = Decide(pinned, Now.AddMinutes(1), Messages(Text(Phone, null, "another job?")));

        Assert.Equal((Route.Unified, RouteReason.OverrideUnified, Phone), (d.Route, d.Reason, d.PersonKey));
    }

    [Fact]
    public void Decide_OverrideOnPhone_AppliesToAnUpdateNamingOnlyTheBsuid()
    {
        Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "any job?")));
        var pinned = RoutingSnapshot.Create(TestTopology.Create(), TestTopology.State(100) with { Overrides = Pin(Phone, Route.Legacy) });

        var d = Decide(pinned, Now.AddMinutes(1), Messages(Text(null, Bsuid, "another job?")));

        Assert.Equal((Route.Legacy, RouteReason.OverrideLegacy), (d.Route, d.Reason));
    }

    [Fact]
    public void Decide_StatusToBsuidAfterRollbackToZero_FollowsTheConversationToUnified()
    {
        Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "any job?")));
        var rolledBack = TestTopology.Snapshot(0);

        var status = Decide(rolledBack, Now.AddHours(1), Statuses(Status(null, Bsuid)));

        Assert.Equal(("jobs", ClassificationRule.Conversation, Route.Unified, RouteReason.Conversation, RouterTopology.UnifiedUpstream),
            (status.Domain, status.Rule, status.Route, status.Reason, status.Upstream));
    }

    [Fact]
    public void Decide_NewInboundAfterRollbackToZero_LegacyAndItsStatusesFollowToLegacy()
    {
        Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "any job?")));
        var rolledBack = TestTopology.Snapshot(0);

        var inbound = Decide(rolledBack, Now.AddHours(1), Messages(Text(null, Bsuid, "still hiring?")));
        var status = Decide(rolledBack, Now.AddHours(1).AddMinutes(1), Statuses(Status(null, Bsuid)));

        Assert.Equal((Route.Legacy, RouteReason.BucketAbove), (inbound.Route, inbound.Reason));
        Assert.Equal((ClassificationRule.Conversation, Route.Legacy, "jobs"), (status.Rule, status.Route, status.Upstream));
    }

    [Fact]
    public void Decide_StatusAfterTheWindow_GoesByTheBucketAgain()
    {
        // A domain memory longer than the window, so the status still finds "jobs" and only the window decides.
        var conversations = new ConversationMemory(1_000, TimeSpan.FromHours(48));
        var memory = new RoutingMemory(conversations, _identities, RoutingMemory.DefaultConversationWindow);
        Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "any job?")), memory);
        var rolledBack = TestTopology.Snapshot(0);

        var inside = Decide(rolledBack, Now.AddHours(23), Statuses(Status(null, Bsuid)), memory);
        var after = Decide(rolledBack, Now.AddHours(25), Statuses(Status(null, Bsuid)), memory);

        Assert.Equal((ClassificationRule.Conversation, Route.Unified), (inside.Rule, inside.Route));
        Assert.Equal(("jobs", ClassificationRule.Memory, Route.Legacy, RouteReason.BucketAbove), (after.Domain, after.Rule, after.Route, after.Reason));
    }

    [Fact]
    public void Decide_StatusWithKillSwitch_LegacyDisabled()
    {
        Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "any job?")));

        var status = Decide(TestTopology.Snapshot(100, enabled: false), Now.AddMinutes(1), Statuses(Status(null, Bsuid)));

        Assert.Equal((ClassificationRule.Conversation, Route.Legacy, RouteReason.Disabled, "jobs"), (status.Rule, status.Route, status.Reason, status.Upstream));
    }

    [Fact]
    public void Decide_StatusOfAProtectedDomainRememberedAsUnified_Legacy()
    {
        // An inbound route remembered as unified for a domain that is protected now (a route from another instance, or
        // from before the domain was protected): protection still wins over the conversation.
        _conversations.RememberInbound(Phone, "mobility", new InboundRoute("mobility", Route.Unified, RouterTopology.UnifiedUpstream, Now.UtcTicks));

        var status = Decide(TestTopology.Snapshot(100), Now.AddMinutes(1), Statuses(Status(Phone, null)));

        Assert.Equal(("mobility", ClassificationRule.Conversation, Route.Legacy, RouteReason.Protected, "mobility"),
            (status.Domain, status.Rule, status.Route, status.Reason, status.Upstream));
    }

    [Fact]
    public void Decide_StatusAfterAProtectedDomainMessage_Legacy()
    {
        var inbound = Decide(TestTopology.Snapshot(100), Now, Messages(Text(Phone, Bsuid, "I need a taxi")));

        var status = Decide(TestTopology.Snapshot(100), Now.AddMinutes(1), Statuses(Status(null, Bsuid)));

        Assert.Equal(RouteReason.Protected, inbound.Reason);
        Assert.Equal(("mobility", Route.Legacy, RouteReason.Protected), (status.Domain, status.Route, status.Reason));
    }

    [Fact]
    public void Decide_UserChangedNumber_KeepsTheSideUnderTheNewNumber()
    {
        var snapshot = TestTopology.Snapshot(10);
        var before = Decide(snapshot, Now, Messages(Text(Phone, null, "any job?")));
        Decide(snapshot, Now.AddDays(1), Messages($$$"""
            {"from":"{{{Phone}}}","id":"wamid.sys","type":"system","system":{"body":"changed","type":"user_changed_number","wa_id":"{{{NewPhone}}}"}}
            """));

        var after = Decide(snapshot, Now.AddDays(2), Messages(Text(NewPhone, null, "any job?")));

        Assert.Equal(Route.Unified, before.Route);
        Assert.Equal((before.Bucket, Route.Unified, Phone), (after.Bucket, after.Route, after.PersonKey));
    }

    [Fact]
    public void Decide_ExplainMode_LearnsNothing()
    {
        var readOnly = _memory.ReadOnly();

        var explained = Decide(TestTopology.Snapshot(10), Now, Messages(Text(Phone, Bsuid, "any job?")), readOnly);
        var live = Decide(TestTopology.Snapshot(10), Now.AddMinutes(1), Messages(Text(null, Bsuid, "any job?")));

        Assert.Equal((Phone, Route.Unified), (explained.PersonKey, explained.Route));
        Assert.False(_conversations.TryRecallInbound(Phone, Now, RoutingMemory.DefaultConversationWindow, out _));
        Assert.False(_conversations.TryRecall(Phone, Now, out _));

        // The live router never learned that the BSUID is the phone's: it buckets the BSUID on its own.
        Assert.Equal((Bsuid, Buckets.BucketOf(Bsuid), Route.Legacy), (live.PersonKey, live.Bucket, live.Route));
    }

    [Fact]
    public void Decide_ExplainMode_FollowsALinkInsideThePayload_AndForgetsIt()
    {
        var readOnly = _memory.ReadOnly();
        var snapshot = TestTopology.Snapshot(10);

        var message = Decide(snapshot, Now, Messages(Text(Phone, Bsuid, "any job?")), readOnly);
        var status = Decide(snapshot, Now, Statuses(Status(null, Bsuid)), readOnly);

        // Within the explained payload the BSUID is the phone's person, and the status follows the message.
        Assert.Equal((Phone, Route.Unified), (message.PersonKey, message.Route));
        Assert.Equal((Phone, Bsuid, ClassificationRule.Conversation, Route.Unified),
            (status.PersonKey, status.Person.Via, status.Rule, status.Route));

        // The router's own map never heard of it.
        Assert.Null(_memory.Identities.Find(Bsuid));
        Assert.Null(_memory.Identities.Find(Phone));
    }

    [Fact]
    public void Decide_OneIdentifierUsers_BucketOfTheirOwnKeyAsBefore()
    {
        var snapshot = TestTopology.Snapshot(50);

        var byPhone = Decide(snapshot, Now, Messages(Text(Phone, null, "job")));
        var byBsuid = Decide(snapshot, Now, Messages(Text(null, "US.42", "job")));

        Assert.Equal((Buckets.BucketOf(Phone), (string?)null), (byPhone.Bucket, byPhone.Person.Via));
        Assert.Equal(Buckets.BucketOf("US.42"), byBsuid.Bucket);
    }

    private UpdateDecision Decide(RoutingSnapshot snapshot, DateTimeOffset now, string body, RoutingMemory? memory = null)
    {
        var parsed = Payloads.Parse(body);
        var decisions = new UpdateDecision[parsed.Count];
        Router.Decide(parsed, snapshot, memory ?? _memory, now, decisions);
        return Assert.Single(decisions);
    }

    private static string Messages(string item) => Payloads.Messages($"\"messages\":[{item}]");

    private static string Statuses(string item) => Payloads.Messages($"\"statuses\":[{item}]");

    private string Text(string? from, string? fromUserId, string body) =>
        "{" + Ids("from", from, "from_user_id", fromUserId) + $$$"""
            "id":"wamid.{{{++_ids}}}","type":"text","text":{"body":"{{{body}}}"}}
            """;

    private string Status(string? recipientId, string? recipientUserId) =>
        "{" + Ids("recipient_id", recipientId, "recipient_user_id", recipientUserId) + $$$"""
            "id":"wamid.s{{{++_ids}}}","status":"delivered"}
            """;

    private static string Ids(string phoneName, string? phone, string userIdName, string? userId) =>
        (phone is null ? string.Empty : $"\"{phoneName}\":\"{phone}\",") + (userId is null ? string.Empty : $"\"{userIdName}\":\"{userId}\",");

    private static ImmutableSortedDictionary<string, UserOverride> Pin(string user, Route route) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [new KeyValuePair<string, UserOverride>(user, new UserOverride(route, null, "alice", "test", Now))]);

    /// <summary>The first candidate whose bucket satisfies <paramref name="wanted"/>: computed, so a salt change cannot silently void the tests.</summary>
    private static string Find(Func<int, string> candidate, Func<int, bool> wanted)
    {
        for (var i = 0; i < 100_000; i++)
        {
            var key = candidate(i);
            if (wanted(Buckets.BucketOf(key)))
            {
                return key;
            }
        }

        throw new InvalidOperationException("no candidate in range");
    }
}
