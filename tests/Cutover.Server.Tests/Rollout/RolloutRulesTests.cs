using System.Net;
using System.Text.Json;
using Cutover.Core.Rollout;
using Cutover.Server.Health;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// The rollout rules issue 14 found wrong, through the admin API of a real router: a rollback that changes nothing,
/// a resume over a critical check, the "before" of a start, the status after a rollback at complete, and taking a
/// domain out of routing while a rollout runs.
/// </summary>
public sealed class RolloutRulesTests : RouterTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Cutover:Upstreams:unified:HealthUrl"] = Upstreams.HealthUrlOf("unified");
        settings["Cutover:Health:ProbeInterval"] = "01:00:00"; // the test probes by hand
        settings["Cutover:Rollout:Mode"] = "manual";
    }

    [Fact]
    public async Task Rollback_HaltedAtZero_AnswersNothingToRollBack_AndRecordsNothing()
    {
        // arrange: a rollout rolled back to 0% by hand, so it is halted at 0%
        await PostAsync("admin/rollout/start", """{"reason": "week 6"}""");
        await PostAsync("admin/rollback", """{"reason": "first rollback"}""");
        var store = Router.Service<ICutoverStore>();
        var events = (await store.HistoryAsync(new HistoryQuery(1000), Cancel)).Count;

        // act
        var again = await PostAsync("admin/rollback", """{"reason": "second rollback"}""");

        // assert: 200, no event, no rollback row, and the answer says why
        Assert.Empty(again.GetProperty("events").EnumerateArray());
        Assert.Equal("nothing to roll back: routing is at 0% already and no rollout is running; nothing was recorded",
            again.GetProperty("message").GetString());
        Assert.Single(await store.RollbacksAsync(10, Cancel));
        Assert.Equal(events, (await store.HistoryAsync(new HistoryQuery(1000), Cancel)).Count);
        Assert.Equal("halted", again.GetProperty("rollout").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Resume_WhileUnifiedsProbeIsCritical_RefusedNamingTheCheck_ForceResumes()
    {
        // arrange: halted after a rollback, unified's probe failing twice in a row (critical)
        var probes = Router.Service<ProbeService>();
        await Eventually.WaitAsync(() => probes.Results.Count == 1, TimeSpan.FromSeconds(10), "the start-up probe");
        await PostAsync("admin/rollout/start", """{"reason": "week 6"}""");
        await PostAsync("admin/rollback", """{"reason": "unified looks down"}""");
        Upstreams.ProbeResponds("unified", 503);
        await probes.ProbeAllAsync(Cancel);
        await probes.ProbeAllAsync(Cancel);

        // act
        using var refused = await Router.AdminAsync(HttpMethod.Post, "admin/rollout/resume", """{"reason": "try again"}""");
        var stillHalted = await Router.Service<RolloutService>().CurrentAsync(Cancel);
        var percentWhileRefused = Router.Service<RoutingService>().Current.State.Percent;
        var forced = await PostAsync("admin/rollout/resume", """{"reason": "the probe URL is wrong (INC-1)", "force": true}""");

        // assert
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("critical_health", error.GetProperty("error").GetString());
        Assert.Contains("probe.unified", error.GetProperty("message").GetString());
        Assert.Contains("--force", error.GetProperty("message").GetString());
        Assert.Equal((RolloutStatus.Halted, 0m), (stillHalted.Status, stillHalted.Percent));
        Assert.Equal(0m, percentWhileRefused);
        Assert.Equal(("soaking", 10m), (forced.GetProperty("rollout").GetProperty("state").GetString(), forced.GetProperty("rollout").GetProperty("percent").GetDecimal()));
    }

    [Fact]
    public async Task Start_WhenRoutingIsAtTheFirstStepAlready_RecordsTheTruePercentBefore()
    {
        await PutAsync("admin/routing", """{"percent": 10, "reason": "by hand first"}""");

        var start = await PostAsync("admin/rollout/start", """{"reason": "week 6"}""");

        var recorded = start.GetProperty("events").EnumerateArray().Single(static e => e.GetProperty("kind").GetString() == "rollout_start");
        var before = recorded.GetProperty("before");
        Assert.Equal(10m, before.GetProperty("percent").GetDecimal());
        Assert.Equal("idle", before.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Rollback_AtComplete_LeavesTheRolloutHalted_NotComplete()
    {
        // arrange: a one-step walk is not possible in manual mode with the default plan, so the store is told the
        // rollout completed at 100%, as the controller would have stored it
        await PostAsync("admin/rollout/start", """{"reason": "week 6"}""");
        var store = Router.Service<ICutoverStore>();
        var state = await store.LoadRolloutAsync(Cancel);
        var complete = state with { Status = RolloutStatus.Complete, Step = 5, Percent = 100 };
        Assert.NotNull(await store.TrySaveRolloutAsync(state.Version, complete, [], null, Cancel));
        await PutRoutingBehindTheRolloutAsync(100);

        // act
        var rolledBack = await PostAsync("admin/rollback", """{"to": 25, "reason": "unified p95 at 4 s"}""");

        // assert: halted at 25%, and what is next says resume or abort, not "complete"
        var rollout = rolledBack.GetProperty("rollout");
        Assert.Equal(("halted", 25m), (rollout.GetProperty("state").GetString(), rollout.GetProperty("percent").GetDecimal()));
        Assert.DoesNotContain("complete", rollout.GetProperty("next").GetString());
        Assert.Contains("resume", rollout.GetProperty("next").GetString());
        Assert.Equal(25m, Router.Service<RoutingService>().Current.State.Percent);
        var rollback = Assert.Single(await store.RollbacksAsync(10, Cancel));
        Assert.Equal((100m, 25m), (rollback.FromPercent, rollback.ToPercent));
    }

    [Fact]
    public async Task Routable_OffWhileARolloutRuns_IsAllowed_PercentStillRefused()
    {
        await PostAsync("admin/rollout/start", """{"reason": "week 6"}""");

        using var off = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"domain": "property", "routable": false, "reason": "property incident"}""");
        using var percent = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "by hand"}""");

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False(Router.Service<RoutingService>().Current.IsRoutable("property"));
        Assert.Equal(HttpStatusCode.Conflict, percent.StatusCode);
    }

    /// <summary>Routing at <paramref name="percent"/> as the rollout left it (through the routing service, past the admin API's rule).</summary>
    private async Task PutRoutingBehindTheRolloutAsync(decimal percent)
    {
        var applied = await Router.Service<RoutingService>().ApplyAsync(
            [new Core.Routing.RoutingChange.SetPercent(percent, null)], "system", "the rollout's last step", Cancel);
        Assert.True(applied.Succeeded, applied.Message);
    }

    private async Task<JsonElement> PostAsync(string path, string body) => await SendAsync(HttpMethod.Post, path, body);

    private async Task<JsonElement> PutAsync(string path, string body) => await SendAsync(HttpMethod.Put, path, body);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string body)
    {
        using var response = await Router.AdminAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
