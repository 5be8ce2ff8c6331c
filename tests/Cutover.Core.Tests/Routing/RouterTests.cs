using System.Collections.Immutable;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.Routing;
using Cutover.Core.Tests.Support;
using Cutover.Core.Webhooks;

namespace Cutover.Core.Tests.Routing;

public sealed class RouterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private readonly ConversationMemory _memory = new(1_000, TimeSpan.FromMinutes(30));

    [Fact]
    public void Decide_ButtonReplyWithPrefix_RuleInteractive()
    {
        var d = DecideAll(Message("u1", """ "type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"job_apply_42","title":"Apply"}} """));

        Assert.Equal(("jobs", ClassificationRule.Interactive, "job_"), (d[0].Domain, d[0].Rule, d[0].Evidence));
    }

    [Fact]
    public void Decide_ListReplyAndTemplateButton_RuleInteractive()
    {
        var d = DecideAll(
            Message("u1", """ "type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"PROP_2BR","title":"Two rooms"}} """),
            Message("u2", """ "type":"button","button":{"payload":"mkt_reorder","text":"Yes"} """));

        Assert.Equal(("property", ClassificationRule.Interactive), (d[0].Domain, d[0].Rule));
        Assert.Equal(("marketplace", ClassificationRule.Interactive), (d[1].Domain, d[1].Rule));
    }

    [Fact]
    public void Decide_PhoneNumberIdOfADomain_BeatsKeywordsAndButtons()
    {
        var body = Envelope(TestTopology.JobsNumber, Message("u1", """ "type":"text","text":{"body":"I want to rent a house"} """));

        var d = DecideAll(body);

        Assert.Equal(("jobs", ClassificationRule.PhoneNumberId, TestTopology.JobsNumber), (d[0].Domain, d[0].Rule, d[0].Evidence));
    }

    [Theory]
    [InlineData("current")]
    [InlineData("parent")]
    [InlineData("different")]
    [InlineData("happy")]
    [InlineData("border")]
    public void Decide_SeedTrapWords_FallBack(string word)
    {
        var d = DecideAll(Text("u1", $"the {word} one"));

        Assert.Equal(("default", ClassificationRule.Fallback), (d[0].Domain, d[0].Rule));
    }

    [Fact]
    public void Decide_YesAfterPropertyMessage_StaysPropertyByMemory()
    {
        DecideAll(Text("u1", "is the apartment still free?"));

        var d = DecideAll(Text("u1", "yes"));

        Assert.Equal(("property", ClassificationRule.Memory), (d[0].Domain, d[0].Rule));
    }

    [Fact]
    public void Decide_YesAfterPropertyInSamePost_StaysProperty()
    {
        var d = DecideAll(Message("u1", """ "type":"text","text":{"body":"a house please"} """), Message("u1", """ "type":"text","text":{"body":"yes"} """));

        Assert.Equal(ClassificationRule.Keyword, d[0].Rule);
        Assert.Equal(("property", ClassificationRule.Memory), (d[1].Domain, d[1].Rule));
    }

    [Fact]
    public void Decide_PhotoAfterMemoryExpired_FallsBack()
    {
        DecideAll(Text("u1", "a house please"));

        var d = DecideAll(Now.AddMinutes(31), Message("u1", """ "type":"image","image":{"id":"1"} """));

        Assert.Equal(ClassificationRule.Fallback, d[0].Rule);
    }

    [Fact]
    public void Decide_Status_FollowsItsUsersConversation()
    {
        DecideAll(Text("250788000001", "any job for me?"));

        var d = DecideAll(Envelope("999", Status("250788000001")));

        // Issue 15: a status within the conversation window follows the last inbound message (rule conversation), not
        // only its domain (rule memory, which now applies once the window has passed: IdentityRoutingTests).
        Assert.Equal(("jobs", ClassificationRule.Conversation), (d[0].Domain, d[0].Rule));
    }

    [Fact]
    public void Decide_StatusWithoutConversation_FallsBackAndRemembersNothing()
    {
        var d = DecideAll(Envelope("999", Status("u9")));

        Assert.Equal(ClassificationRule.Fallback, d[0].Rule);
        Assert.False(_memory.TryRecall("u9", Now, out _));
    }

    [Fact]
    public void Decide_ChangeOfAnotherField_RuleFieldToConfiguredUpstream()
    {
        var d = DecideAll("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"event":"X"},"field":"account_update"},{"value":{"calls":[]},"field":"calls"}]}]}""");

        Assert.Equal(("default", ClassificationRule.Field, "default", Route.Legacy), (d[0].Domain, d[0].Rule, d[0].Upstream, d[0].Route));
        Assert.Equal(("mobility", RouteReason.Field), (d[1].Upstream, d[1].Reason));
    }

    [Fact]
    public void Decide_OverrideDomain_BeatsEverything()
    {
        var state = TestTopology.State(100) with { Overrides = Pin("u1", null, "marketplace") };

        var d = DecideAll(RoutingSnapshot.Create(TestTopology.Create(), state), Envelope(TestTopology.JobsNumber, Message("u1", """ "type":"text","text":{"body":"rent"} """)));

        Assert.Equal(("marketplace", ClassificationRule.Override, Route.Unified), (d[0].Domain, d[0].Rule, d[0].Route));
    }

    [Fact]
    public void Decide_ProtectedDomainAt100Percent_AlwaysLegacy()
    {
        var state = TestTopology.State(100) with { Overrides = Pin("u1", Route.Unified, null) };

        var d = DecideAll(RoutingSnapshot.Create(TestTopology.Create(), state), Text("u1", "I need a taxi"), Text("u2", "insurance claim"));

        Assert.All(d, x => Assert.Equal((Route.Legacy, RouteReason.Protected), (x.Route, x.Reason)));
        Assert.Equal(["mobility", "insurance"], d.Select(static x => x.Upstream));
    }

    [Fact]
    public void Decide_Disabled_LegacyWithReason()
    {
        var d = DecideAll(TestTopology.Snapshot(100, enabled: false), Text("u1", "job"));

        Assert.Equal((Route.Legacy, RouteReason.Disabled, "jobs"), (d[0].Route, d[0].Reason, d[0].Upstream));
    }

    [Fact]
    public void Decide_FieldConfiguredForUnified_KillSwitchSendsItToLegacy()
    {
        const string calls = """{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"calls":[]},"field":"calls"}]}]}""";
        var topology = TestTopology.Create(callsUpstream: "unified");

        var on = DecideAll(RoutingSnapshot.Create(topology, TestTopology.State(0)), calls);
        var off = DecideAll(RoutingSnapshot.Create(topology, TestTopology.State(0, enabled: false)), calls);

        Assert.Equal((Route.Unified, RouteReason.Field, "unified"), (on[0].Route, on[0].Reason, on[0].Upstream));
        Assert.Equal((Route.Legacy, RouteReason.Disabled, "default", ClassificationRule.Field), (off[0].Route, off[0].Reason, off[0].Upstream, off[0].Rule));
    }

    [Fact]
    public void Decide_DomainNotRoutable_Legacy()
    {
        var state = TestTopology.State(100) with { Routable = ImmutableSortedSet.Create(StringComparer.Ordinal, "jobs") };

        var d = DecideAll(RoutingSnapshot.Create(TestTopology.Create(), state), Text("u1", "buy shoes"), Text("u1", "hi"));

        Assert.Equal((Route.Legacy, RouteReason.NotRoutable), (d[0].Route, d[0].Reason));
        Assert.Equal(("marketplace", ClassificationRule.Memory, Route.Legacy, RouteReason.NotRoutable), (d[1].Domain, d[1].Rule, d[1].Route, d[1].Reason));
    }

    [Fact]
    public void Decide_RouteOverride_WinsOverBucket()
    {
        var snapshot = RoutingSnapshot.Create(TestTopology.Create(), TestTopology.State(0) with { Overrides = Pin("tester", Route.Unified, null) });

        var d = DecideAll(snapshot, Text("tester", "job"), Text("other", "job"));

        Assert.Equal((Route.Unified, RouteReason.OverrideUnified, "unified"), (d[0].Route, d[0].Reason, d[0].Upstream));
        Assert.Equal((Route.Legacy, RouteReason.BucketAbove), (d[1].Route, d[1].Reason));
    }

    [Fact]
    public void Decide_DomainPercent_OverridesGlobal()
    {
        var state = TestTopology.State(0) with { DomainPercents = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, decimal>("jobs", 100m)]) };

        var d = DecideAll(RoutingSnapshot.Create(TestTopology.Create(), state), Text("u1", "job"), Text("u2", "buy"));

        Assert.Equal(Route.Unified, d[0].Route);
        Assert.Equal(Route.Legacy, d[1].Route);
    }

    [Fact]
    public void Decide_BucketMatchesBucketing()
    {
        var topology = TestTopology.Create();

        var d = DecideAll(Text("250788123456", "job"));

        Assert.Equal(topology.Bucketing.BucketOf("250788123456"), d[0].Bucket);
        Assert.Equal(d[0].Bucket < 2_500 ? Route.Unified : Route.Legacy, d[0].Route);
    }

    [Fact]
    public void DecisionExplainer_ExplainsBothSteps()
    {
        var d = DecideAll(Text("u1", "I want to rent"));

        var why = DecisionExplainer.Explain(d[0]);

        Assert.StartsWith("keyword 'rent'; bucket ", why);
        Assert.Contains($"bucket {d[0].Bucket}", why);
        Assert.Contains("(25.00%)", why);
    }

    private UpdateDecision[] DecideAll(params string[] messages) => DecideAll(TestTopology.Snapshot(25), Now, messages);

    private UpdateDecision[] DecideAll(DateTimeOffset now, params string[] messages) => DecideAll(TestTopology.Snapshot(25), now, messages);

    private UpdateDecision[] DecideAll(RoutingSnapshot snapshot, params string[] messages) => DecideAll(snapshot, Now, messages);

    private UpdateDecision[] DecideAll(RoutingSnapshot snapshot, DateTimeOffset now, params string[] messages)
    {
        // A single argument that is already an envelope is used as is; otherwise the items form one change.
        var body = messages.Length == 1 && messages[0].StartsWith("{\"object\"", StringComparison.Ordinal) ? messages[0] : Envelope("999", messages);
        var parsed = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(Encoding.UTF8.GetBytes(body), parsed, out var error), error);
        var decisions = new UpdateDecision[parsed.Count];
        Router.Decide(parsed, snapshot, _memory, now, decisions);
        return decisions;
    }

    private static string Text(string user, string body) => Message(user, $$""" "type":"text","text":{"body":"{{body}}"} """);

    private static string Message(string user, string rest) => $$"""{"from":"{{user}}","id":"wamid.{{Guid.NewGuid():N}}",{{rest}}}""";

    private static string Status(string user) => $$"""{"id":"wamid.S","status":"delivered","recipient_id":"{{user}}"}""";

    private static string Envelope(string phoneNumberId, params string[] items)
    {
        var messages = items.Where(static i => !i.Contains("\"status\":", StringComparison.Ordinal)).ToList();
        var statuses = items.Where(static i => i.Contains("\"status\":", StringComparison.Ordinal)).ToList();
        var value = $$"""{"messaging_product":"whatsapp","metadata":{"phone_number_id":"{{phoneNumberId}}"}""";
        if (messages.Count > 0)
        {
            value += $",\"messages\":[{string.Join(',', messages)}]";
        }

        if (statuses.Count > 0)
        {
            value += $",\"statuses\":[{string.Join(',', statuses)}]";
        }

        return $$"""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{{value}}},"field":"messages"}]}]}""";
    }

    private static ImmutableSortedDictionary<string, UserOverride> Pin(string user, Route? route, string? domain) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [new KeyValuePair<string, UserOverride>(user, new UserOverride(route, domain, "alice", "test", Now))]);
}
