using System.Net;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

public sealed class FallbackWhenUnifiedRefusesTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Cutover:Upstreams:unified:Url"] = FreePort.RefusingUrl();

    [Fact]
    public async Task Post_UnifiedRefusesConnections_LegacyGetsSameBytes()
    {
        await Router.SetPercentAsync(100);
        var body = WebhookBuilder.Of(Msg.Text("250788000007", "order status?"));

        using var response = await Router.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, Assert.Single(Upstreams.For("marketplace")).Body);
        await Router.WaitForDecisionsAsync(1);
        var decision = Assert.Single(await Router.DecisionsAsync());
        Assert.True(decision.Fallback);
        Assert.Contains("refused the connection", decision.Error);
    }
}
