using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

public sealed class AdminWithoutTokensTests : RouterTest
{
    [Fact]
    public async Task Change_FromLoopbackWithoutTokens_AllowedAsLocal()
    {
        using var response = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 10, "reason": "local change"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("events");
        Assert.Equal("local", events[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Endpoints_HealthReadyMetricsRoot_Answer()
    {
        using var healthz = await Router.Http.GetAsync("healthz", Cancel);
        using var readyz = await Router.Http.GetAsync("readyz", Cancel);
        using var root = await Router.Http.GetAsync("", Cancel);
        await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));
        using var metrics = await Router.Http.GetAsync("metrics", Cancel);

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await root.Content.ReadAsStringAsync(Cancel));
        Assert.Contains("cutover_webhook_requests", await metrics.Content.ReadAsStringAsync(Cancel));
    }
}
