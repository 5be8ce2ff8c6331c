using System.Net;
using System.Text.Json;
using Cutover.Core.Routing;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// A rollback and the users an override pins to unified (issue 14): the answer and the notification count them and
/// say how to clear them, and <c>include_overrides</c> clears them in the same routing change as the rollback.
/// </summary>
public sealed class RollbackOverridesTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Notifications:Urls:0"] = Upstreams.UrlOf("hooks");
        settings["Cutover:Notifications:FirstRetryDelay"] = "00:00:00.050";
    }

    [Fact]
    public async Task Rollback_ToZeroWithAnOverrideOnUnified_CountsItInTheAnswerAndTheNotification_AndLeavesIt()
    {
        // arrange
        await Router.SetPercentAsync(40);
        await PinAsync("250700000001", "unified");
        await PinAsync("250700000002", "legacy");

        // act
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "unified p95 at 4 s"}""");
        var json = await JsonAsync(response);

        // assert: routing at 0%, the unified pin still there, and said so
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, json.GetProperty("overrides_on_unified").GetInt32());
        Assert.StartsWith("1 user stays on unified by an override: 'cutover override USER clear", json.GetProperty("message").GetString());
        var routing = Router.Service<RoutingService>().Current.State;
        Assert.Equal(0m, routing.Percent);
        Assert.Equal(2, routing.Overrides.Count);
        var told = await RollbackNotificationAsync();
        Assert.Equal(1, told.GetProperty("overrides_on_unified").GetInt32());
        Assert.Contains("1 user stays on unified by an override", told.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Rollback_IncludeOverrides_ClearsThePinsOnUnifiedInTheSameChangeAndRecordsThem()
    {
        // arrange
        await Router.SetPercentAsync(40);
        await PinAsync("250700000001", "unified");
        await PinAsync("250700000003", "unified", domain: "jobs");
        await PinAsync("250700000002", "legacy");

        // act
        using var response = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "unified is down", "include_overrides": true}""");
        var json = await JsonAsync(response);

        // assert: both unified pins gone with the percent, the legacy pin kept, each clear audited with the rollback's reason
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, json.GetProperty("overrides_on_unified").GetInt32());
        Assert.False(json.TryGetProperty("message", out _));
        var routing = Router.Service<RoutingService>().Current.State;
        Assert.Equal(0m, routing.Percent);
        Assert.Equal(["250700000002"], routing.Overrides.Keys);
        var kinds = json.GetProperty("events").EnumerateArray().Select(static e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal([AuditKinds.Percent, AuditKinds.OverrideClear, AuditKinds.OverrideClear, RolloutEventKinds.Rollback], kinds);
        var history = await Router.Service<ICutoverStore>().HistoryAsync(new HistoryQuery(100), Cancel);
        Assert.Equal(2, history.Count(static e => e.Kind == AuditKinds.OverrideClear && e.Reason == "unified is down"));
        Assert.Equal(0, (await RollbackNotificationAsync()).GetProperty("overrides_on_unified").GetInt32());
    }

    [Fact]
    public async Task Rollback_AtZeroAlreadyWithAPinOnUnified_SaysNothingToRollBackAndNamesThePin_UnlessIncluded()
    {
        await PinAsync("250700000001", "unified");

        using var nothing = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "again"}""");
        var nothingJson = await JsonAsync(nothing);
        using var cleared = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "QA over", "include_overrides": true}""");

        Assert.Equal(HttpStatusCode.OK, nothing.StatusCode);
        Assert.Equal(0, nothingJson.GetProperty("events").GetArrayLength());
        Assert.Contains("nothing to roll back", nothingJson.GetProperty("message").GetString());
        Assert.Contains("1 user stays on unified by an override", nothingJson.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Empty(Router.Service<RoutingService>().Current.State.Overrides);

        // The rollback event says what changed though the percent did not: the pin on unified, 1 → 0.
        var rollback = (await JsonAsync(cleared)).GetProperty("events").EnumerateArray()
            .Single(static e => e.GetProperty("kind").GetString() == RolloutEventKinds.Rollback);
        Assert.Equal(1, rollback.GetProperty("before").GetProperty("overrides_on_unified").GetInt32());
        Assert.Equal(0, rollback.GetProperty("after").GetProperty("overrides_on_unified").GetInt32());
    }

    private async Task PinAsync(string user, string route, string? domain = null)
    {
        var body = domain is null
            ? $$"""{"route": "{{route}}", "reason": "QA phone"}"""
            : $$"""{"route": "{{route}}", "domain": "{{domain}}", "reason": "QA phone"}""";
        using var response = await Router.AdminAsync(HttpMethod.Put, $"admin/overrides/{user}", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    private async Task<JsonElement> RollbackNotificationAsync()
    {
        await Eventually.WaitAsync(() => Upstreams.For("hooks").Any(static h => EventOf(h) == RolloutEventKinds.Rollback),
            TimeSpan.FromSeconds(10), "the rollback's notification");
        return JsonDocument.Parse(Upstreams.For("hooks").First(static h => EventOf(h) == RolloutEventKinds.Rollback).Body).RootElement.Clone();
    }

    private static string? EventOf(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("event").GetString();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
}
