using System.Net;
using System.Text.Json;
using Cutover.Core.Webhooks;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.HotPath;

public sealed class SplitTests : RouterTest
{
    [Fact]
    public async Task Post_UsersGoingTwoWays_SplitIntoValidResignedEnvelopesCarryingEveryUpdateOnce()
    {
        // arrange: at 50%, one jobs user on each side, plus a protected-domain user and a status
        await Router.SetPercentAsync(50);
        var onUnified = UserWith(unified: true, 50);
        var onLegacy = UserWith(unified: false, 50);
        var body = new WebhookBuilder()
            .Change(Msg.Text(onUnified, "I need a job"), Msg.Text(onLegacy, "hiring drivers?"), Msg.Text("250799000001", "a taxi please"))
            .Change(Msg.Status(onUnified, "read"))
            .Build();
        var original = RouterHarness.Signer.Sign(body);

        // act
        using var response = await Router.PostWebhookAsync(body, signature: original);

        // assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["jobs", "mobility", "unified"], Upstreams.Requests.Select(static r => r.Upstream).Order());
        var ids = new List<string>();
        foreach (var request in Upstreams.Requests)
        {
            var signature = request.Header(WebhookSignature.HeaderName);
            Assert.NotEqual(original, signature);
            Assert.True(RouterHarness.Signer.Verify(request.Body, signature), $"{request.Upstream}'s part is signed with the app secret");
            var part = new ParsedWebhook();
            Assert.True(WebhookParser.TryParse(request.Body, part, out var error), error);
            Assert.Equal("whatsapp_business_account", JsonDocument.Parse(request.Body).RootElement.GetProperty("object").GetString());
            for (var i = 0; i < part.Count; i++)
            {
                ids.Add(part[i].IdempotencyKey!);
            }
        }

        Assert.Equal(4, ids.Count);
        Assert.Equal(4, ids.Distinct().Count());
        var unified = Assert.Single(Upstreams.For("unified"));
        Assert.Equal("unified", unified.Header("X-Cutover-Route"));
        Assert.Equal("jobs", unified.Header("X-Webhook-Domain"));
        Assert.Equal("legacy", Assert.Single(Upstreams.For("mobility")).Header("X-Cutover-Route"));
        Assert.Single(Upstreams.Requests.Select(static r => r.Header("X-Correlation-ID")).Distinct());
    }

    [Fact]
    public async Task Post_SplitOneUpdatePerPart_IdempotencyKeyIsTheUpdateId()
    {
        await Router.SetPercentAsync(50);
        var a = Msg.Text(UserWith(unified: true, 50), "job");
        var b = Msg.Text(UserWith(unified: false, 50), "job");

        using var response = await Router.PostWebhookAsync(WebhookBuilder.Of(a, b));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(a.MessageId, Assert.Single(Upstreams.For("unified")).Header("X-Idempotency-Key"));
        Assert.Equal(b.MessageId, Assert.Single(Upstreams.For("jobs")).Header("X-Idempotency-Key"));
    }
}
