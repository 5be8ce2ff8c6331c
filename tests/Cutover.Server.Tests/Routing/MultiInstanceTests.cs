using System.Net;
using Cutover.Server.Routing;
using Cutover.Testing;

namespace Cutover.Server.Tests.Routing;

/// <summary>Two routers on one store: a change made through one reaches the other without a restart.</summary>
public sealed class MultiInstanceTests
{
    [Fact]
    public async Task SetOnOneInstance_OtherInstanceRoutesTheSameWithinSeconds()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var upstreams = await RecordingUpstreams.StartAsync(cancel);
        await using var first = await RouterHarness.StartAsync(upstreams, cancellationToken: cancel);
        var shared = $"Data Source={first.DatabasePath}";
        await using var second = await RouterHarness.StartAsync(upstreams, s =>
        {
            s["Cutover:Store:ConnectionString"] = shared;
            s["Cutover:Store:PollInterval"] = "00:00:00.100";
        }, cancellationToken: cancel);

        await first.SetPercentAsync(100);
        var holder = second.Service<RoutingStateHolder>();
        await Eventually.WaitAsync(() => holder.Current.State.Percent == 100m, TimeSpan.FromSeconds(5), "the second instance to see 100%");
        using var response = await second.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unified", Assert.Single(upstreams.Requests).Upstream);
    }
}
