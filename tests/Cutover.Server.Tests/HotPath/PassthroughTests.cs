using System.Net;
using Cutover.Core.Webhooks;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

public sealed class PassthroughTests : IAsyncLifetime
{
    private RecordingUpstreams _upstreams = null!;
    private RouterHarness _router = null!;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _router = await RouterHarness.StartAsync(_upstreams, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _router.DisposeAsync();
        await _upstreams.DisposeAsync();
    }

    [Fact]
    public async Task Post_OneWay_ForwardsIdenticalBytesWithOriginalSignature()
    {
        // arrange: two users of one domain, both legacy at 0%
        var body = WebhookBuilder.Of(Msg.Text("250788000001", "I need a job"), Msg.Text("250788000002", "any jobs for drivers?"));
        var signature = RouterHarness.Signer.Sign(body);

        // act
        using var response = await _router.PostWebhookAsync(body, signature: signature);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_upstreams.Requests);
        Assert.Equal("jobs", received.Upstream);
        Assert.Equal(body, received.Body);
        Assert.Equal(signature, received.Header(WebhookSignature.HeaderName));
        Assert.Equal("cutover", received.Header("X-Routed-From"));
        Assert.Equal("legacy", received.Header("X-Cutover-Route"));
        Assert.Equal("jobs", received.Header("X-Webhook-Domain"));
        Assert.False(string.IsNullOrEmpty(received.Header("X-Correlation-ID")));
        Assert.StartsWith("sha256:", received.Header("X-Idempotency-Key"));
    }
}
