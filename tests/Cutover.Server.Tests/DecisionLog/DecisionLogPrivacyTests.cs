using System.Diagnostics.Metrics;
using Cutover.Core.Classification;
using Cutover.Core.Decisions;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.Telemetry;
using Cutover.Server.Tests.Support;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Tests.DecisionLog;

public sealed class DecisionLogPrivacyTests : RouterTest
{
    [Fact]
    public async Task Post_DefaultPrivacy_StoresKeyedHashStableForTheSameUser()
    {
        // act
        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job"), Msg.Text("250788000001", "yes"), Msg.Text("250788000002", "job")));
        await Router.WaitForDecisionsAsync(3);

        // assert
        var keys = (await Router.DecisionsAsync()).OrderBy(static d => d.MessageId, StringComparer.Ordinal).Select(static d => d.UserKey!).ToList();
        Assert.All(keys, static k => Assert.Matches("^[0-9a-f]{32}$", k));
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Router.DatabasePath)!, "cutover.db*"))
        {
            // The main file and its write-ahead log: the phone number is in neither.
            Assert.DoesNotContain("250788000001", await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Post_HandlerHeaderOfUpstream_Recorded()
    {
        Upstreams.HandledBy("jobs", "jobs-agent-v1");

        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));
        await Router.WaitForDecisionsAsync(1);

        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.Equal(("jobs-agent-v1", 200, true), (decision.Handler, decision.StatusCode, decision.Success));
        Assert.True(decision.LatencyMs > 0);
    }

    [Fact]
    public async Task Override_AuditTrailKeepsHashedUserKey()
    {
        using var pin = await Router.AdminAsync(HttpMethod.Put, "admin/overrides/250788000777", """{"route": "legacy", "reason": "support ticket 9"}""");
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history");

        var text = await history.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("support ticket 9", text);
        Assert.DoesNotContain("250788000777", text);
    }
}
