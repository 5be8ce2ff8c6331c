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

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("True-Client-IP", "203.0.113.7")]
    [InlineData("CF-Connecting-IP", "203.0.113.7")]
    [InlineData("X-Client-IP", "203.0.113.7")]
    [InlineData("X-Cluster-Client-IP", "203.0.113.7")]
    [InlineData("Fastly-Client-IP", "203.0.113.7")]
    [InlineData("X-Original-Forwarded-For", "203.0.113.7")]
    [InlineData("Via", "1.1 edge-proxy")]
    [InlineData("X-Forwarded-Host", "cutover.example.com")]
    [InlineData("x-forwarded-proto", "https")]
    public async Task Change_ThroughAProxyOnTheSameHost_RefusedWithoutTokens(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "admin/routing")
        {
            Content = new StringContent("""{"percent": 10, "reason": "from outside"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await Router.Http.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("proxy", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
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
        var exposition = await metrics.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("cutover_webhook_requests", exposition);
        // Seconds-sized buckets: a loopback forward lands below 1 s, not in a milliseconds-sized first bucket.
        Assert.Matches("cutover_forward_duration_seconds_bucket\\{[^}]*le=\"0.001\"", exposition);
        Assert.Matches("cutover_forward_duration_seconds_bucket\\{[^}]*le=\"30\"", exposition);
    }
}
