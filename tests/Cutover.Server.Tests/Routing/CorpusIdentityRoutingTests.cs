using System.Net;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Routing;

/// <summary>
/// Identities change nothing for a user Cutover sees by one person: every real payload of the corpus, posted to a router
/// that has seen no one, is decided with the bucket of its user key alone (the phone when there is one, as before
/// identities existed), and routed as that bucket routes, whatever other identifiers (user_id, parent_user_id, a
/// number changed to) the payload carries.
/// </summary>
public sealed class CorpusIdentityRoutingTests : RouterTest
{
    public static TheoryData<string> Payloads => [.. Corpus.Names];

    protected override void Configure(Dictionary<string, string?> settings) => settings["Cutover:Privacy:UserKeys"] = "raw";

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Post_CorpusPayload_EveryUpdateRoutedByTheBucketOfItsUserKeyAlone(string name)
    {
        // arrange: at 50% about half the users are on each side, so a wrong bucket shows as a wrong route
        var body = Corpus.Read(name);
        var parsed = new ParsedWebhook();
        Assert.True(WebhookParser.TryParse(body, parsed, out var error), error);
        var keys = Enumerable.Range(0, parsed.Count).Select(i => parsed[i])
            .Where(static u => u.Kind is UpdateKind.Message or UpdateKind.Status).Select(static u => (u.Id, u.UserKey)).ToList();
        await Router.SetPercentAsync(50);
        var snapshot = Router.Service<RoutingStateHolder>().Current;
        var bucketing = snapshot.Topology.Bucketing;

        // act
        using var response = await Router.PostWebhookAsync(body);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Router.WaitForDecisionsAsync(Math.Max(parsed.Count, 1));
        var decisions = (await Router.DecisionsAsync()).Where(static d => d.Kind is UpdateKind.Message or UpdateKind.Status).ToList();
        Assert.Equal(keys.Count, decisions.Count);
        foreach (var d in decisions)
        {
            var key = Assert.Single(keys, k => k.Id == d.MessageId).UserKey;
            Assert.NotNull(key);
            Assert.Equal(key, d.UserKey);
            Assert.Equal(bucketing.BucketOf(key), d.Bucket);
            var (route, _, _) = Core.Routing.Router.RouteOf(d.Domain, bucketing.BucketOf(key), null, snapshot);
            Assert.Equal(route, d.Route);
            Assert.Equal(route == Route.Unified ? RouterTopology.UnifiedUpstream : snapshot.Topology.LegacyUpstreamOf(d.Domain), d.Upstream);
        }
    }
}
