using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cutover.Server.Dashboard;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

/// <summary><c>GET /dashboard</c> and its assets, <c>/admin/stats/series</c> and <c>/admin/events</c>, without a browser.</summary>
public sealed class DashboardEndpointTests : RouterTest
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Dashboard_Get_HtmlWithSelfOnlyPolicyAndNoInlineScript()
    {
        using var response = await Router.Http.GetAsync("dashboard", Cancel);
        var html = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(DashboardPage.ContentSecurityPolicy, csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("<script src=\"/dashboard/dashboard.js\"", html);
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)", html); // every script is a file
        Assert.DoesNotContain("style=", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("https://", html);
    }

    [Theory]
    [InlineData("dashboard/dashboard.js", "text/javascript")]
    [InlineData("dashboard/dashboard.css", "text/css")]
    public async Task Assets_Get_ServedWithTheirTypeAndTheSameHeaders(string path, string mediaType)
    {
        using var response = await Router.Http.GetAsync(path, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(DashboardPage.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.DoesNotContain("innerHTML", body);
        Assert.DoesNotContain("eval(", body);
    }

    [Fact]
    public async Task Series_AfterTraffic_PointsAddUpToTheStats()
    {
        await Router.SetPercentAsync(50);
        for (var i = 0; i < 20; i++)
        {
            await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text($"2507880000{i:D2}", "job")));
        }

        await Router.WaitForDecisionsAsync(20);
        using var series = JsonDocument.Parse(await Router.Http.GetStringAsync("admin/stats/series?window=5m", Cancel));
        using var stats = JsonDocument.Parse(await Router.Http.GetStringAsync("admin/stats?window=5m", Cancel));

        var root = series.RootElement;
        Assert.Equal("5m", root.GetProperty("window").GetString());
        Assert.InRange(root.GetProperty("points").GetArrayLength(), 5, 7);
        Assert.Equal(2000, root.GetProperty("thresholds").GetProperty("p95_warn_ms").GetDouble());
        foreach (var route in (string[])["unified", "legacy"])
        {
            var fromSeries = root.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty(route).GetProperty("requests").GetInt64());
            var fromStats = stats.RootElement.GetProperty("totals").GetProperty(route).GetProperty("request_count").GetInt64();
            Assert.Equal(fromStats, fromSeries);
        }

        Assert.Equal(20, root.GetProperty("points").EnumerateArray()
            .Sum(static p => p.GetProperty("unified").GetProperty("requests").GetInt64() + p.GetProperty("legacy").GetProperty("requests").GetInt64()));
    }

    [Theory]
    [InlineData("2d")]
    [InlineData("soon")]
    public async Task Series_WindowOutOfReach_RefusedNamingWindow(string window)
    {
        using var response = await Router.Http.GetAsync($"admin/stats/series?window={window}", Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("invalid_request", body.RootElement.GetProperty("error").GetString());
        Assert.StartsWith("'window':", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Events_AfterARoutingChange_ChangeEventWithTheNewVersion()
    {
        using var response = await Router.Http.GetAsync("admin/events", HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(Cancel));

        var first = await events.NextAsync("change", EventWait);
        await Router.SetPercentAsync(10);
        var next = await events.NextAsync("change", EventWait);

        Assert.True(next.GetProperty("routing_version").GetInt64() > first.GetProperty("routing_version").GetInt64());
        Assert.True(next.GetProperty("last_event_id").GetInt64() > first.GetProperty("last_event_id").GetInt64());
    }

    [Fact]
    public async Task Events_NothingChanges_HeartbeatsArrive()
    {
        using var response = await Router.Http.GetAsync("admin/events", HttpCompletionOption.ResponseHeadersRead, Cancel);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(Cancel));

        var beat = await events.NextAsync("heartbeat", EventWait);

        Assert.True(beat.TryGetProperty("at", out _));
    }
}
