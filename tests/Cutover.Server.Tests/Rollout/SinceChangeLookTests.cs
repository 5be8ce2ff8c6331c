using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;

namespace Cutover.Server.Tests.Rollout;

/// <summary>
/// The looks right after a step, on a fake clock: the step starts at 09:00:10 and every look here comes before 09:01,
/// the step's first whole minute, when rollups since the change hold nothing yet. The controller's own fast look is
/// set to the evaluation interval (30 s), so the clock never reaches it and each look here is the test's.
/// </summary>
public sealed class SinceChangeLookTests : RolloutScenario, IAsyncLifetime
{
    public async ValueTask InitializeAsync() =>
        await StartRouterAsync("auto", [(50, 100), (100, 100)], healthMinRequests: 100,
            static s => s["Cutover:Rollout:FastCheckInterval"] = "00:00:30");

    [Fact]
    public async Task FullLook_TwentySecondsIntoAStepWithAThirdOfUnifiedFailing_RollsBackInsideTheStepsFirstMinute()
    {
        // arrange
        await CommandAsync("start", "week 6");
        await SendAsync(400, failEveryNthUnified: 3);
        Time.Advance(TimeSpan.FromSeconds(20));

        // act
        var (decision, health) = await Rollouts.EvaluateAsync(Cancel);

        // assert
        Assert.Equal(RolloutDecisionKind.Rollback, decision.Kind);
        Assert.Equal((RolloutStatus.Halted, 0m), ((await Rollouts.CurrentAsync(Cancel)).Status, Router.Service<RoutingService>().Current.State.Percent));
        var errorRate = Assert.Single(health.Checks, static c => c.Name == HealthEvaluator.ErrorRate);
        Assert.Equal(HealthState.Critical, errorRate.State);
        Assert.Contains("since the change at 09:00:10Z", errorRate.Message);
    }

    [Fact]
    public async Task StepRequests_TwentySecondsIntoAStep_CountFromTheStepsExactTime()
    {
        // arrange: traffic before the step (at 0%, all legacy), then after it
        await SendAsync(100);
        Time.Advance(TimeSpan.FromSeconds(5));
        await CommandAsync("start", "week 6");
        await SendAsync(200);
        Time.Advance(TimeSpan.FromSeconds(15));
        var state = await Rollouts.CurrentAsync(Cancel);

        // act
        var counted = await Rollouts.StepRequestsAsync(state, Cancel);

        // assert: every unified decision since the step, though no whole minute of it has passed
        var unified = (await Router.DecisionsAsync()).Count(d => d.Route == Core.Routing.Route.Unified && d.At >= state.StepStartedAt);
        Assert.True(unified > 50, $"{unified} unified decisions");
        Assert.Equal(unified, counted);
    }

    [Fact]
    public async Task CheckCritical_HealthyAfterAStep_JudgesOkAndChangesNothing()
    {
        // arrange
        await CommandAsync("start", "week 6");
        await SendAsync(400);
        Time.Advance(TimeSpan.FromSeconds(20));
        var before = await Rollouts.CurrentAsync(Cancel);

        // act
        var (decision, health) = await Rollouts.CheckCriticalAsync(Cancel);

        // assert: enough to judge (not insufficient), ok, and the rollout as it was
        Assert.False(decision.Changed);
        Assert.All(health.Checks, static c => Assert.True(c.State == HealthState.Ok, $"{c.Name}: {c.State} {c.Message}"));
        Assert.Equal(before, await Rollouts.CurrentAsync(Cancel));
        Assert.Empty(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
    }

    [Fact]
    public async Task CheckCritical_AFewFailuresAmongTooFewUnifiedRequests_NoRollback()
    {
        // arrange: 60 webhooks, about 30 on unified, every second one failing: bad, but too few to judge
        await CommandAsync("start", "week 6");
        await SendAsync(60, failEveryNthUnified: 2);
        Time.Advance(TimeSpan.FromSeconds(5));

        // act
        var (decision, health) = await Rollouts.CheckCriticalAsync(Cancel);

        // assert
        Assert.False(decision.Changed);
        Assert.Equal(HealthState.InsufficientData, Assert.Single(health.Checks, static c => c.Name == HealthEvaluator.ErrorRate).State);
        Assert.Equal(RolloutStatus.Soaking, (await Rollouts.CurrentAsync(Cancel)).Status);
    }

    [Fact]
    public async Task CheckCritical_AThirdOfUnifiedFailingSecondsAfterAStep_RollsBackAndRecordsTheChecksItJudged()
    {
        // arrange
        await CommandAsync("start", "week 6");
        await SendAsync(400, failEveryNthUnified: 3);
        Time.Advance(TimeSpan.FromSeconds(8));

        // act
        var (decision, _) = await Rollouts.CheckCriticalAsync(Cancel);

        // assert
        Assert.Equal(RolloutDecisionKind.Rollback, decision.Kind);
        Assert.Equal(0m, Router.Service<RoutingService>().Current.State.Percent);
        var rollback = Assert.Single(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        Assert.Equal(("system", 50m, 0m), (rollback.Actor, rollback.FromPercent, rollback.ToPercent));
        Assert.Contains("\"error_rate\":{\"state\":\"critical\"", rollback.Metrics);
        Assert.Contains("critical at step 1 of 2 (50%): error_rate: unified failed", decision.Reason);
    }

    [Fact]
    public async Task CheckCritical_NoRolloutAndAPercentSetByHandFailing_TheGuardRollsBackSecondsAfterTheChange()
    {
        // arrange: no rollout; 50% set by hand, then a third of unified failing
        await Router.SetPercentAsync(50);
        await SendAsync(400, failEveryNthUnified: 3);
        Time.Advance(TimeSpan.FromSeconds(8));

        // act
        var (decision, health) = await Rollouts.CheckCriticalAsync(Cancel);

        // assert
        Assert.Equal(HealthState.Critical, health.State);
        Assert.Equal(RolloutDecisionKind.Rollback, decision.Kind);
        Assert.Equal(0m, Router.Service<RoutingService>().Current.State.Percent);
        var rollback = Assert.Single(await Router.Service<ICutoverStore>().RollbacksAsync(10, Cancel));
        Assert.StartsWith("guard on unified: critical with no rollout running at 50%", rollback.Reason);
    }
}
