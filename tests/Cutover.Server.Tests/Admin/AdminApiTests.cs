using System.Net;
using System.Text.Json;
using Cutover.Server.Tests.Support;
using Cutover.Testing;

namespace Cutover.Server.Tests.Admin;

public sealed class AdminApiTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        WithTokens(settings);
    }

    [Fact]
    public async Task Status_WithReadToken_HasContractFields()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/status", token: ReadToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.True(json.GetProperty("enabled").GetBoolean());
        Assert.Equal(0m, json.GetProperty("percent").GetDecimal());
        var mobility = json.GetProperty("domains").GetProperty("mobility");
        Assert.True(mobility.GetProperty("protected").GetBoolean());
        Assert.False(mobility.GetProperty("routable").GetBoolean());
        Assert.True(json.GetProperty("domains").GetProperty("jobs").GetProperty("routable").GetBoolean());
        Assert.Equal(0, json.GetProperty("decision_log").GetProperty("dropped").GetInt64());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-configured-token", HttpStatusCode.Unauthorized)]
    [InlineData(ReadToken, HttpStatusCode.Forbidden)]
    public async Task SetRouting_WithoutOperateToken_RefusedAndNothingChanges(string? token, HttpStatusCode expected)
    {
        using var response = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "x"}""", token);

        Assert.Equal(expected, response.StatusCode);
        Assert.Contains("\"message\"", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(0m, Router.Service<Server.Routing.RoutingStateHolder>().Current.State.Percent);
        using var disable = await Router.AdminAsync(HttpMethod.Post, "admin/disable", """{"reason": "x"}""", ReadToken);
        Assert.Equal(HttpStatusCode.Forbidden, disable.StatusCode);
        using var pin = await Router.AdminAsync(HttpMethod.Put, "admin/overrides/250788000001", """{"route": "unified", "reason": "x"}""", ReadToken);
        Assert.Equal(HttpStatusCode.Forbidden, pin.StatusCode);
    }

    [Fact]
    public async Task SetRouting_WithoutReason_Refused()
    {
        using var response = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 50}""", OperateToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reason_required", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task SetRouting_ProtectedDomainRoutable_Refused()
    {
        using var response = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"domain": "insurance", "routable": true, "reason": "x"}""", OperateToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("protected_domain", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task SetRouting_RoutableAndPercentOneRefused_NeitherApplied()
    {
        using var response = await Router.AdminAsync(
            HttpMethod.Put, "admin/routing", """{"domain": "property", "routable": false, "percent": 150, "reason": "x"}""", OperateToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = JsonDocument.Parse(await (await Router.AdminAsync(HttpMethod.Get, "admin/status", token: ReadToken)).Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.True(status.GetProperty("domains").GetProperty("property").GetProperty("routable").GetBoolean());
        Assert.Equal(1, status.GetProperty("version").GetInt64());
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history", token: ReadToken);
        Assert.Empty(JsonDocument.Parse(await history.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task SetRouting_TwoChangesInOneRequest_BothStoredWithTheIdsHistoryShows()
    {
        using var response = await Router.AdminAsync(
            HttpMethod.Put, "admin/routing", """{"domain": "property", "routable": false, "percent": 20, "reason": "property waits"}""", OperateToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answered = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("events")
            .EnumerateArray().Select(static e => (e.GetProperty("id").GetInt64(), e.GetProperty("kind").GetString())).ToList();
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history", token: ReadToken);
        var listed = JsonDocument.Parse(await history.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("events")
            .EnumerateArray().Select(static e => (e.GetProperty("id").GetInt64(), e.GetProperty("kind").GetString())).Reverse().ToList();
        Assert.Equal(2, answered.Count);
        Assert.All(answered, static e => Assert.True(e.Item1 > 0));
        Assert.Equal(listed, answered);
    }

    [Fact]
    public async Task Disable_WithoutBody_RefusedForWantOfAReason()
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/disable", token: OperateToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("reason_required", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Status_StartedAt_IsWhenTheServerStartedNotWhenFirstAsked()
    {
        var before = Router.Service<TimeProvider>().GetUtcNow();
        await Eventually.WaitAsync(() => Router.Service<TimeProvider>().GetUtcNow() > before.AddMilliseconds(50), TimeSpan.FromSeconds(5), "time to pass");

        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/status", token: ReadToken);

        var startedAt = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("started_at").GetDateTimeOffset();
        Assert.True(startedAt <= before, $"started_at {startedAt:O} is after {before:O}");
    }

    [Theory]
    [InlineData("""{"percent": "fifty", "reason": "x"}""", "invalid_percent")]
    [InlineData("""{"percent": 50.001, "reason": "x"}""", "invalid_percent")]
    [InlineData("""{"reason": "x"}""", "invalid_request")]
    [InlineData("""{"percent": 5, "domain": "nope", "reason": "x"}""", "unknown_domain")]
    [InlineData("""not json""", "invalid_request")]
    [InlineData("""[1,2]""", "invalid_request")]
    public async Task SetRouting_BadBody_400NamingTheProblem(string body, string error)
    {
        using var response = await Router.AdminAsync(HttpMethod.Put, "admin/routing", body, OperateToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SetRouting_VisibleOnNextRequestAndInHistoryWithActorAndReason()
    {
        // act
        using var change = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 100, "reason": "all in for jobs"}""", OperateToken);
        using var webhook = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));

        // assert
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal("unified", Assert.Single(Upstreams.Requests).Upstream);
        using var history = await Router.AdminAsync(HttpMethod.Get, "admin/history", token: ReadToken);
        var e = JsonDocument.Parse(await history.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("events")[0];
        Assert.Equal(("percent", "alice", "all in for jobs"), (e.GetProperty("kind").GetString(), e.GetProperty("actor").GetString(), e.GetProperty("reason").GetString()));
        Assert.Equal(0m, e.GetProperty("before").GetProperty("percent").GetDecimal());
        Assert.Equal(100m, e.GetProperty("after").GetProperty("percent").GetDecimal());
        Assert.True(e.TryGetProperty("at", out _));
    }

    [Fact]
    public async Task DisableThenEnable_KillSwitchTakesEffectAtOnce()
    {
        await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 100, "reason": "go"}""", OperateToken);
        using var off = await Router.AdminAsync(HttpMethod.Post, "admin/disable", """{"reason": "errors"}""", OperateToken);
        using var first = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));
        using var on = await Router.AdminAsync(HttpMethod.Post, "admin/enable", """{"reason": "fixed"}""", OperateToken);
        using var second = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000001", "job")));

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(["jobs", "unified"], Upstreams.Requests.Select(static r => r.Upstream));
    }

    [Fact]
    public async Task Override_ForcesUserThenClears()
    {
        using var pin = await Router.AdminAsync(HttpMethod.Put, "admin/overrides/250788000009", """{"route": "unified", "reason": "QA phone"}""", OperateToken);
        using var get = await Router.AdminAsync(HttpMethod.Get, "admin/overrides/250788000009", token: ReadToken);
        using var pinned = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000009", "job")));
        using var clear = await Router.AdminAsync(HttpMethod.Delete, "admin/overrides/250788000009?reason=QA%20done", token: OperateToken);
        using var after = await Router.PostWebhookAsync(WebhookBuilder.Of(Msg.Text("250788000009", "job")));
        using var missing = await Router.AdminAsync(HttpMethod.Get, "admin/overrides/250788000009", token: ReadToken);

        Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
        Assert.Contains("QA phone", await get.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.OK, clear.StatusCode);
        Assert.Equal(["unified", "jobs"], Upstreams.Requests.Select(static r => r.Upstream));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Explain_CorpusPayload_OneObjectPerUpdateWithContractFields()
    {
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/explain", await File.ReadAllTextAsync(Path.Combine(Corpus.Directory, "033-text.json"), Cancel), ReadToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var update = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("updates").EnumerateArray());
        foreach (var field in new[] { "user_key", "domain", "rule", "bucket", "route", "upstream", "reason" })
        {
            Assert.True(update.TryGetProperty(field, out _), field);
        }

        Assert.Equal("972987654321", update.GetProperty("user_key").GetString());
        Assert.Empty(Upstreams.Requests);
    }

    [Fact]
    public async Task History_BadLimit_400()
    {
        using var response = await Router.AdminAsync(HttpMethod.Get, "admin/history?limit=zero", token: ReadToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync(Cancel));
    }
}
