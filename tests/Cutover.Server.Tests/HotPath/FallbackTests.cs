using System.Net;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

public sealed class FallbackTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Privacy:UserKeys"] = "raw";
        settings["Cutover:Upstreams:unified:TimeoutMs"] = "500";
    }

    [Fact]
    public async Task Post_Unified503_LegacyGetsSameBytesAndItIsLoggedAsFallback()
    {
        // arrange
        Upstreams.Respond("unified", 503);
        Upstreams.HandledBy("unified", "property-agent");
        Upstreams.HandledBy("property", "legacy-property");
        await Router.SetPercentAsync(100);
        var body = WebhookBuilder.Of(Msg.Text("250788000001", "apartment for rent"));
        var signature = RouterHarness.Signer.Sign(body);

        // act
        using var response = await Router.PostWebhookAsync(body, signature: signature);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Upstreams.For("unified"));
        var legacy = Assert.Single(Upstreams.For("property"));
        Assert.Equal(body, legacy.Body);
        Assert.Equal(signature, legacy.Header(WebhookSignature.HeaderName));
        Assert.Equal("legacy", legacy.Header("X-Cutover-Route"));
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.Equal((Route.Unified, "property", true, true, 200), (decision.Route, decision.Upstream, decision.Fallback, decision.Success, decision.StatusCode));
        Assert.Contains("unified failed with 503", decision.Error);
        Assert.Equal("property-agent", decision.Handler); // the agent that failed, so a failing agent shows in its stats
    }

    [Fact]
    public async Task Post_UnifiedTimesOut_FallsBackToLegacy()
    {
        Upstreams.Hang("unified");
        await Router.SetPercentAsync(100);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000002", "job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Upstreams.For("jobs"));
        await Router.WaitForDecisionsAsync(1);
        Assert.Contains("unified timed out", Assert.Single(await Router.DecisionsAsync()).Error);
    }

    [Fact]
    public async Task Post_BothDown_Answers502SoMetaRetries()
    {
        Upstreams.Respond("unified", 500);
        Upstreams.Respond("jobs", 503);
        await Router.SetPercentAsync(100);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000003", "job")));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("no_upstream", await response.Content.ReadAsStringAsync(Cancel));
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.False(decision.Success);
        Assert.True(decision.Fallback);
    }

    [Fact]
    public async Task Post_LegacyRejects4xx_NotRetriedByMeta()
    {
        Upstreams.Respond("jobs", 400);

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000004", "job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.Equal((false, 400, false), (decision.Success, decision.StatusCode, decision.Fallback));
    }

    [Fact]
    public async Task Post_SplitUnifiedPartAcrossDomainsFails_EachDomainGetsItsOwnUpdates()
    {
        Upstreams.Respond("unified", 502);
        await Router.SetPercentAsync(100);
        var body = WebhookBuilder.Of(Msg.Text("250788000005", "job please"), Msg.Text("250788000006", "buy shoes"));

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var (upstream, user) in new[] { ("jobs", "250788000005"), ("marketplace", "250788000006") })
        {
            var part = Assert.Single(Upstreams.For(upstream));
            var parsed = new ParsedWebhook();
            Assert.True(WebhookParser.TryParse(part.Body, parsed, out _));
            Assert.Equal(user, Assert.Single(parsed.Updates.ToArray()).UserKey);
            Assert.True(RouterHarness.Signer.Verify(part.Body, part.Header(WebhookSignature.HeaderName)));
        }
    }
}
