using System.Net;
using System.Text.Json;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// The rollout controller against a real router, real upstreams and a real store, on a fake clock: each look sends
/// traffic, moves the clock one evaluation interval and evaluates, so a six-step plan runs in seconds.
/// </summary>
public sealed class RolloutControllerTests : RolloutScenario, IAsyncLifetime
{
    private static readonly TimeSpan Soak = TimeSpan.FromMinutes(5);

    public async ValueTask InitializeAsync() => await StartAsync("auto");

    [Fact]
    public async Task Auto_HealthyUpstreams_WalksEveryStepInOrderRespectingEachSoak()
    {
        // act
        await CommandAsync("start", "week 6");
        for (var look = 0; look < 200 && (await Rollouts.CurrentAsync(Cancel)).Status != RolloutStatus.Complete; look++)
        {
            await LookAsync(40);
        }

        // assert: complete, every step once and in order, each after its soak
        var state = await Rollouts.CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Complete, 100m), (state.Status, state.Percent));
        Assert.Equal(100m, Router.Service<RoutingService>().Current.State.Percent);
        var history = await HistoryAsync();
        var steps = history.Where(static e => e.Kind is RolloutEventKinds.Start or RolloutEventKinds.Step).ToList();
        Assert.Equal([10m, 25m, 35m, 50m, 75m, 100m], steps.Select(static e => PercentOf(e.After)));
        for (var i = 1; i < steps.Count; i++)
        {
            Assert.InRange(steps[i].At - steps[i - 1].At, Soak, Soak + TimeSpan.FromMinutes(2));
        }

        Assert.Equal(RolloutEventKinds.Complete, history[^1].Kind);
        Assert.All(history.Where(static e => e.Kind == RolloutEventKinds.Step), static e => Assert.Equal("system", e.Actor));
        Assert.DoesNotContain(history, static e => e.Kind == RolloutEventKinds.Rollback);

        // 30 days later, with legacy taking nothing from the routable domains: ready to decommission
        var notYet = await DecommissionAsync();
        Time.Advance(TimeSpan.FromDays(31));
        await LookAsync(40);
        var ready = await DecommissionAsync();
        Assert.All(notYet, static d => Assert.False(d.GetProperty("ready").GetBoolean()));
        Assert.Equal(["jobs", "marketplace", "property"], ready.Select(static d => d.GetProperty("domain").GetString()));
        Assert.All(ready, static d => Assert.True(d.GetProperty("ready").GetBoolean(), d.GetProperty("reason").GetString()));
    }

    private async Task<List<JsonElement>> DecommissionAsync()
    {
        using var status = await Router.AdminAsync(HttpMethod.Get, "admin/rollout");
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync(Cancel)).RootElement;
        return [.. json.GetProperty("decommission").EnumerateArray()];
    }

    [Fact]
    public async Task Auto_UnifiedFailingFivePercentAt35_RollsBackAtTheNextLookRecordsItAndHaltsUntilResume()
    {
        // arrange: walk to 35%
        await CommandAsync("start", "week 6");
        while ((await Rollouts.CurrentAsync(Cancel)).Percent < 35)
        {
            await LookAsync(40);
        }

        // a few healthy looks at 35%: health judges from the first whole minute after the change
        for (var i = 0; i < 3; i++)
        {
            await LookAsync(200);
        }

        // act: one interval in which every 20th update routed to unified fails
        await LookAsync(400, failEveryNthUnified: 20);

        // assert: halted at 0% with the rollback and its metrics recorded
        var state = await Rollouts.CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Halted, 0m, 2), (state.Status, state.Percent, state.Step));
        Assert.Equal(0m, Router.Service<RoutingService>().Current.State.Percent);
        var rollback = Assert.Single(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        Assert.Equal(("system", 35m, 0m), (rollback.Actor, rollback.FromPercent, rollback.ToPercent));
        Assert.Contains("step 3 of 6 (35%)", rollback.Phase);
        var errorRate = JsonDocument.Parse(rollback.Metrics).RootElement.GetProperty("error_rate");
        Assert.Equal("critical", errorRate.GetProperty("state").GetString());
        Assert.True(errorRate.GetProperty("value").GetDouble() > 0.5);
        Assert.Contains(await HistoryAsync(), static e => e.Kind == RolloutEventKinds.Rollback && e.Actor == "system");

        // halted: healthy traffic for longer than a soak changes nothing
        for (var i = 0; i < 12; i++)
        {
            await LookAsync(20);
        }

        Assert.Equal((RolloutStatus.Halted, 0m), ((await Rollouts.CurrentAsync(Cancel)).Status, (await Rollouts.CurrentAsync(Cancel)).Percent));

        // resume restarts the step that failed
        using var resumed = await CommandAsync("resume", "fix deployed");
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal((RolloutStatus.Soaking, 35m), ((await Rollouts.CurrentAsync(Cancel)).Status, Router.Service<RoutingService>().Current.State.Percent));

        // the failures from before the rollback are not held against the resumed step
        for (var i = 0; i < 4; i++)
        {
            await LookAsync(200);
        }

        Assert.Equal(RolloutStatus.Soaking, (await Rollouts.CurrentAsync(Cancel)).Status);
        Assert.Single(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
    }

    [Fact]
    public async Task Auto_WhileARolloutRuns_AManualPercentIsRefusedAndTheStatusSaysWhatIsNext()
    {
        await CommandAsync("start", "week 6");

        using var set = await Router.AdminAsync(HttpMethod.Put, "admin/routing", """{"percent": 50, "reason": "by hand"}""");
        using var status = await Router.AdminAsync(HttpMethod.Get, "admin/rollout");

        Assert.Equal(HttpStatusCode.Conflict, set.StatusCode);
        Assert.Contains("rollout_active", await set.Content.ReadAsStringAsync(Cancel));
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal(("soaking", 1, 10m), (json.GetProperty("state").GetString(), json.GetProperty("step").GetInt32(), json.GetProperty("percent").GetDecimal()));
        Assert.Equal(300, json.GetProperty("soak_left_seconds").GetDouble(), 0.5);
        Assert.Contains("it advances to 25%", json.GetProperty("next").GetString());
        Assert.Contains(json.GetProperty("gates").EnumerateArray(), static g => g.GetProperty("name").GetString() == "step_requests");
    }

    [Fact]
    public async Task Manual_AfterAGreenSoak_WaitsForPromoteThenAdvances()
    {
        await Router.DisposeAsync();
        await Upstreams.DisposeAsync();
        await StartAsync("manual");
        await CommandAsync("start", "week 6");

        for (var look = 0; look < 20; look++)
        {
            await LookAsync(40);
        }

        var waiting = await Rollouts.CurrentAsync(Cancel);
        using var promote = await CommandAsync("promote", "reviewed");
        var promoted = await Rollouts.CurrentAsync(Cancel);

        Assert.Equal((RolloutStatus.AwaitingPromotion, 10m), (waiting.Status, waiting.Percent));
        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        Assert.Equal((RolloutStatus.Soaking, 1, 25m), (promoted.Status, promoted.Step, promoted.Percent));
        Assert.Equal(25m, Router.Service<RoutingService>().Current.State.Percent);
        Assert.Contains(await HistoryAsync(), static e => e.Kind == RolloutEventKinds.Promote && e.Reason == "reviewed");
    }

    [Fact]
    public async Task Commands_WithoutAReason_AreRefused()
    {
        using var start = await Router.AdminAsync(HttpMethod.Post, "admin/rollout/start", "{}");
        using var rollback = await Router.AdminAsync(HttpMethod.Post, "admin/rollback");
        using var unknown = await Router.AdminAsync(HttpMethod.Post, "admin/rollout/skip", """{"reason": "x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, start.StatusCode);
        Assert.Contains("reason_required", await start.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(HttpStatusCode.BadRequest, rollback.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(RolloutStatus.Idle, (await Rollouts.CurrentAsync(Cancel)).Status);
    }

    private Task StartAsync(string mode) =>
        StartRouterAsync(mode, [(10, 20), (25, 20), (35, 20), (50, 20), (75, 20), (100, 20)], healthMinRequests: 20);

    private static decimal PercentOf(string? json) => JsonDocument.Parse(json!).RootElement.GetProperty("percent").GetDecimal();
}
