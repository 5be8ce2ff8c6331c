using System.Globalization;
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
/// The guard on unified once no rollout owns the percent, and which events are told (issue 14), against a real router,
/// real upstreams (the notification hook among them) and a real store, on a fake clock.
/// </summary>
public sealed class UnifiedGuardTests : RolloutScenario
{

    [Fact]
    public async Task Guard_CompleteRolloutThenUnifiedFails_RollsBackToZeroOnceAndNotifiesOnce()
    {
        // arrange: a one-step plan to 100%, walked to complete on healthy traffic
        await StartAsync(steps: [(100, 20)]);
        await CommandAsync("start", "week 6");
        for (var look = 0; look < 40 && (await Rollouts.CurrentAsync(Cancel)).Status != RolloutStatus.Complete; look++)
        {
            await LookAsync(40);
        }

        Assert.Equal(RolloutStatus.Complete, (await Rollouts.CurrentAsync(Cancel)).Status);
        for (var i = 0; i < 3; i++)
        {
            await LookAsync(200);
        }

        // act: unified fails one update in five, then the looks go on
        await LookAsync(400, failEveryNthUnified: 5);
        for (var i = 0; i < 6; i++)
        {
            await LookAsync(100, failEveryNthUnified: 5);
        }

        // assert: halted at 0% by the system, one rollback row, the status says the guard did it and why
        var state = await Rollouts.CurrentAsync(Cancel);
        Assert.Equal((RolloutStatus.Halted, 0m), (state.Status, state.Percent));
        Assert.Equal(0m, Router.Service<RoutingService>().Current.State.Percent);
        var rollback = Assert.Single(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        Assert.Equal(("system", 100m, 0m), (rollback.Actor, rollback.FromPercent, rollback.ToPercent));
        Assert.StartsWith("guard on unified: critical after the rollout completed at 100%", rollback.Reason);
        Assert.Contains(await HistoryAsync(), static e => e.Kind == RolloutEventKinds.Rollback && e.Actor == "system");
        var status = await StatusAsync();
        Assert.Equal("halted", status.GetProperty("state").GetString());
        Assert.Contains("halted after a rollback (guard on unified: critical after the rollout completed", status.GetProperty("next").GetString());

        // one notification of it, with the overrides left on unified counted
        await TellAndWaitAsync();
        var told = Hooks(RolloutEventKinds.Rollback);
        var one = Assert.Single(told);
        Assert.Equal(0, one.GetProperty("overrides_on_unified").GetInt32());
        Assert.Equal("system", one.GetProperty("actor").GetString());
        Assert.Empty(Hooks(RolloutEventKinds.Critical));
    }

    [Fact]
    public async Task Guard_Off_ManualHundredPercentAndUnifiedFails_NotifiesAndRecordsOnceAndLeavesThePercent()
    {
        // arrange: no rollout, 100% set by hand, the guard told to notify only
        await StartAsync(steps: [(100, 20)], guardAfterComplete: false);
        await Router.SetPercentAsync(100);
        for (var i = 0; i < 3; i++)
        {
            await LookAsync(200);
        }

        // act
        await LookAsync(400, failEveryNthUnified: 5);
        for (var i = 0; i < 6; i++)
        {
            await LookAsync(100, failEveryNthUnified: 5);
        }

        // assert: routing untouched, no rollback, one unified_critical recorded and told
        Assert.Equal(100m, Router.Service<RoutingService>().Current.State.Percent);
        Assert.Equal(RolloutStatus.Idle, (await Rollouts.CurrentAsync(Cancel)).Status);
        Assert.Empty(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        var recorded = Assert.Single(await HistoryAsync(), static e => e.Kind == RolloutEventKinds.Critical);
        Assert.Equal("system", recorded.Actor);
        Assert.Contains("Rollout:GuardAfterComplete is off", recorded.Reason);
        await TellAndWaitAsync();
        var told = Assert.Single(Hooks(RolloutEventKinds.Critical));
        Assert.Contains(":rotating_light:", told.GetProperty("text").GetString());
        Assert.Empty(Hooks(RolloutEventKinds.Rollback));
    }

    [Fact]
    public async Task Notices_AStepHeldForLackOfTrafficOverManyLooks_IsToldOnce()
    {
        // arrange: health never has enough data, and the step needs more unified requests than the first looks bring,
        // so the hold goes from "too few requests" to "insufficient data": recorded twice, news once
        await StartAsync(steps: [(50, 60)], healthMinRequests: 100_000);
        await CommandAsync("start", "week 6");

        // act: far more looks than the soak, a trickle of traffic
        for (var look = 0; look < 40; look++)
        {
            await LookAsync(10);
        }

        // assert
        var holds = (await HistoryAsync()).Where(static e => e.Kind == RolloutEventKinds.Hold).ToList();
        Assert.True(holds.Count >= 2, $"{holds.Count} holds recorded: {string.Join(" | ", holds.Select(static h => h.Reason))}");
        Assert.Equal(RolloutStatus.Holding, (await Rollouts.CurrentAsync(Cancel)).Status);
        await TellAndWaitAsync();
        Assert.Single(Hooks(RolloutEventKinds.Hold));
        Assert.Single(Hooks(RolloutEventKinds.Start));
    }

    [Fact]
    public async Task Notices_EventsFilter_OnlyTheNamedKindsArePosted()
    {
        await StartAsync(steps: [(50, 60)], events: [RolloutEventKinds.Rollback]);

        await CommandAsync("start", "week 6");
        await LookAsync(10);
        using var rollback = await Router.AdminAsync(HttpMethod.Post, "admin/rollback", """{"reason": "unified p95 at 4 s"}""");
        await Eventually.WaitAsync(() => Hooks(RolloutEventKinds.Rollback).Count == 1, TimeSpan.FromSeconds(10), "the rollback's notification");

        // the start and the soak were before the rollback in the hook's ordered queue: had they been sent, they would be here
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal([RolloutEventKinds.Rollback], Upstreams.For("hooks").Select(static h => EventOf(h)).ToList());
        Assert.Contains(await HistoryAsync(), static e => e.Kind == RolloutEventKinds.Start);
    }

    private Task StartAsync(
        (int Percent, int MinRequests)[] steps, bool guardAfterComplete = true, long healthMinRequests = 20, string[]? events = null) =>
        StartRouterAsync("auto", steps, healthMinRequests, s =>
        {
            s["Cutover:Rollout:GuardAfterComplete"] = guardAfterComplete ? "true" : "false";
            s["Cutover:Notifications:Urls:0"] = Upstreams.UrlOf("hooks");
            s["Cutover:Notifications:FirstRetryDelay"] = "00:00:00.050";
            for (var i = 0; i < (events ?? []).Length; i++)
            {
                s[$"Cutover:Notifications:Events:{i}"] = events![i];
            }
        });

    /// <summary>
    /// Every event told so far has reached the hook: one URL's events go out in order, so once the notifier has sent
    /// all it was given, nothing is still on its way.
    /// </summary>
    private Task TellAndWaitAsync()
    {
        var notifier = Router.Service<RolloutNotifier>();
        return Eventually.WaitAsync(() => notifier.Counters.Sent + notifier.Counters.Failed == notifier.Queued,
            TimeSpan.FromSeconds(10), "the notifications to reach the hook");
    }

    private List<JsonElement> Hooks(string kind) =>
        [.. Upstreams.For("hooks").Where(h => EventOf(h) == kind).Select(static h => JsonDocument.Parse(h.Body).RootElement)];

    private static string? EventOf(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("event").GetString();

    private async Task<JsonElement> StatusAsync()
    {
        using var status = await Router.AdminAsync(HttpMethod.Get, "admin/rollout");
        return JsonDocument.Parse(await status.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
    }
}
