using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

public sealed class RolloutDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RolloutPlan Auto = new(RolloutPlan.DefaultSteps, RolloutMode.Auto, CriticalAction.Zero);
    private static readonly RolloutPlan Manual = Auto with { Mode = RolloutMode.Manual };
    private static readonly HealthReport Green = Report(HealthState.Ok);

    [Fact]
    public void Decide_AutoWithGreenHealth_WalksTheWholePlanRespectingEverySoak()
    {
        var state = Started(Auto);
        var now = T0;
        var advances = new List<(decimal Percent, DateTimeOffset At)> { (state.Percent, now) };
        for (var look = 0; look < 20_000 && state.Status != RolloutStatus.Complete; look++)
        {
            now += TimeSpan.FromSeconds(30);
            var decision = RolloutDecider.Decide(Auto, state, Green, 10_000, now);
            if (decision.Kind == RolloutDecisionKind.Advance)
            {
                advances.Add((decision.Next.Percent, now));
            }

            state = decision.Next;
        }

        Assert.Equal(RolloutStatus.Complete, state.Status);
        Assert.Equal([10m, 25m, 35m, 50m, 75m], advances.Select(static a => a.Percent).Take(5));
        Assert.Equal([10m, 25m, 35m, 50m, 75m, 100m], advances.Select(static a => a.Percent));
        for (var i = 1; i < advances.Count; i++)
        {
            var soak = Auto.Steps[i - 1].Soak;
            var took = advances[i].At - advances[i - 1].At;
            Assert.True(took >= soak && took < soak + TimeSpan.FromMinutes(1), $"step {i}: {took} for a {soak} soak");
        }

        Assert.InRange(now - T0, TimeSpan.FromHours(134), TimeSpan.FromHours(134) + TimeSpan.FromMinutes(6));
    }

    [Fact]
    public void Decide_ManualAfterAGreenSoak_AwaitsPromotionAndDoesNotAdvanceAlone()
    {
        var state = Started(Manual);

        var awaiting = RolloutDecider.Decide(Manual, state, Green, 10_000, T0 + TimeSpan.FromHours(4));
        var later = RolloutDecider.Decide(Manual, awaiting.Next, Green, 10_000, T0 + TimeSpan.FromHours(40));
        var promoted = RolloutCommands.Promote(Manual, later.Next, Green, 10_000, [], T0 + TimeSpan.FromHours(41));

        Assert.Equal((RolloutDecisionKind.AwaitPromotion, RolloutStatus.AwaitingPromotion), (awaiting.Kind, awaiting.Next.Status));
        Assert.Contains("waiting for promote to 25%", awaiting.Reason);
        Assert.Equal((RolloutDecisionKind.None, 10m), (later.Kind, later.Next.Percent));
        Assert.Equal((RolloutStatus.Soaking, 1, 25m, T0 + TimeSpan.FromHours(41)),
            (promoted.Next!.Status, promoted.Next.Step, promoted.Next.Percent, promoted.Next.StepStartedAt));
    }

    [Fact]
    public void Decide_CriticalDuringASoak_RollsBackToZeroAndHaltsWithTheCauses()
    {
        var at35 = Started(Auto) with { Step = 2, Percent = 35 };
        var critical = Report(HealthState.Critical, new HealthCheck("error_rate", HealthState.Critical, 5.1, 0.5, "unified failed 51 of 1,000"));

        var decision = RolloutDecider.Decide(Auto, at35, critical, 1_000, T0 + TimeSpan.FromMinutes(10));

        Assert.Equal(RolloutDecisionKind.Rollback, decision.Kind);
        Assert.Equal((RolloutStatus.Halted, 0m, 2), (decision.Next.Status, decision.Next.Percent, decision.Next.Step));
        Assert.Equal("error_rate", Assert.Single(decision.Causes).Name);
        Assert.Contains("critical at step 3 of 6 (35%)", decision.Reason);
        Assert.Equal(RolloutDecisionKind.None, RolloutDecider.Decide(Auto, decision.Next, Green, 1_000, T0 + TimeSpan.FromDays(9)).Kind);
    }

    [Fact]
    public void Decide_CriticalWithStepBack_GoesToThePreviousStep()
    {
        var plan = Auto with { OnCritical = CriticalAction.StepBack };
        var at35 = Started(plan) with { Step = 2, Percent = 35 };

        var decision = RolloutDecider.Decide(plan, at35, Report(HealthState.Critical), 1_000, T0);

        Assert.Equal(25m, decision.Next.Percent);
    }

    [Fact]
    public void Decide_CriticalWhilePaused_StillRollsBack()
    {
        var paused = RolloutCommands.Pause(Started(Auto), T0).Next!;

        Assert.Equal(RolloutDecisionKind.Rollback, RolloutDecider.Decide(Auto, paused, Report(HealthState.Critical), 0, T0).Kind);
    }

    [Theory]
    [InlineData(HealthState.Warn)]
    [InlineData(HealthState.InsufficientData)]
    public void Decide_WarnOrInsufficientAfterTheSoak_HoldsOnceNeitherAdvancingNorRollingBack(HealthState state)
    {
        var report = Report(state, new HealthCheck("split", state, 30, 25, "off"));
        var after = T0 + TimeSpan.FromHours(5);

        var first = RolloutDecider.Decide(Auto, Started(Auto), report, 10_000, after);
        var second = RolloutDecider.Decide(Auto, first.Next, report, 10_000, after + TimeSpan.FromSeconds(30));
        var green = RolloutDecider.Decide(Auto, second.Next, Green, 10_000, after + TimeSpan.FromMinutes(1));

        Assert.Equal((RolloutDecisionKind.Hold, RolloutStatus.Holding, 10m), (first.Kind, first.Next.Status, first.Next.Percent));
        Assert.Contains($"split {state switch { HealthState.Warn => "warn", _ => "insufficient_data" }}", first.Reason);
        Assert.Equal(RolloutDecisionKind.None, second.Kind);
        Assert.Equal((RolloutDecisionKind.Advance, 25m), (green.Kind, green.Next.Percent));
    }

    [Fact]
    public void Decide_TooFewRequestsAtTheStep_Holds()
    {
        var decision = RolloutDecider.Decide(Auto, Started(Auto), Green, 499, T0 + TimeSpan.FromHours(4));

        Assert.Equal(RolloutDecisionKind.Hold, decision.Kind);
        Assert.Contains("fewer than the 500 unified requests", decision.Reason);
    }

    [Fact]
    public void Decide_InTheSoak_NothingChangesAndTheReasonSaysHowLongIsLeft()
    {
        var decision = RolloutDecider.Decide(Auto, Started(Auto), Green, 10_000, T0 + TimeSpan.FromMinutes(90));

        Assert.Equal(RolloutDecisionKind.None, decision.Kind);
        Assert.Equal("soaking step 1 of 6 (10%), 2 h 30 min left", decision.Reason);
    }

    [Fact]
    public void Commands_ResumeAfterAHalt_RestartsTheFailedStepWithAFreshSoak()
    {
        var halted = RolloutDecider.Decide(Auto, Started(Auto) with { Step = 2, Percent = 35 }, Report(HealthState.Critical), 0, T0).Next;

        var resumed = RolloutCommands.Resume(Auto, halted, Green, force: false, T0 + TimeSpan.FromHours(1));

        Assert.Equal((RolloutStatus.Soaking, 2, 35m, T0 + TimeSpan.FromHours(1)),
            (resumed.Next!.Status, resumed.Next.Step, resumed.Next.Percent, resumed.Next.StepStartedAt));
    }

    [Fact]
    public void Commands_RefuseWhatMakesNoSense_NamingWhy()
    {
        var idle = RolloutState.Idle(T0);
        var running = Started(Auto);

        Assert.Contains("already soaking", RolloutCommands.Start(Auto, running, null, AtZero, domainRoutable: false, T0).Error);
        Assert.Contains("still soaking", RolloutCommands.Promote(Auto, running, Green, 10_000, [], T0).Error);
        Assert.Contains("nothing to pause", RolloutCommands.Pause(idle, T0).Error);
        Assert.Contains("nothing to resume", RolloutCommands.Resume(Auto, running, Green, force: false, T0).Error);
        Assert.Contains("nothing to abort", RolloutCommands.Abort(idle, T0).Error);
        Assert.Equal((RolloutStatus.Idle, 0m), (RolloutCommands.Abort(running, T0).Next!.Status, RolloutCommands.Abort(running, T0).Next!.Percent));
    }

    private static RoutingState AtZero => RoutingState.Initial(["jobs"], T0);

    [Fact]
    public void DecideCritical_CriticalRightAfterAStep_RollsBackAsOnCriticalSaysAndHalts()
    {
        var state = RolloutDecider.AdvanceFrom(Auto, Started(Auto), 0, T0.AddHours(5));
        var critical = Report(HealthState.Critical, new HealthCheck("error_rate", HealthState.Critical, 30, 0.5, "unified failed 30 of 100"));
        var now = T0.AddHours(5).AddSeconds(12);

        var zero = RolloutDecider.DecideCritical(Auto, state, critical, now);
        var stepBack = RolloutDecider.DecideCritical(Auto with { OnCritical = CriticalAction.StepBack }, state, critical, now);

        Assert.Equal((RolloutDecisionKind.Rollback, RolloutStatus.Halted, 0m, now), (zero.Kind, zero.Next.Status, zero.Next.Percent, zero.Next.UpdatedAt));
        Assert.Equal((RolloutDecisionKind.Rollback, 10m), (stepBack.Kind, stepBack.Next.Percent));
        Assert.Equal("critical at step 2 of 6 (25%): error_rate: unified failed 30 of 100", zero.Reason);
        var full = RolloutDecider.Decide(Auto, state, critical, 0, now);
        Assert.Equal((full.Next, full.Reason), (zero.Next, zero.Reason));
    }

    [Theory]
    [InlineData(HealthState.Ok)]
    [InlineData(HealthState.InsufficientData)]
    [InlineData(HealthState.Warn)]
    public void DecideCritical_AnythingButCritical_ChangesNothing(HealthState health)
    {
        var state = Started(Auto);

        var decision = RolloutDecider.DecideCritical(Auto, state, Report(health), T0.AddSeconds(4));

        Assert.False(decision.Changed);
        Assert.Same(state, decision.Next);
    }

    [Fact]
    public void DecideCritical_PausedStillRollsBackButNotWhenNotRunning()
    {
        var paused = Started(Auto) with { Paused = true };
        var critical = Report(HealthState.Critical);

        Assert.Equal(RolloutDecisionKind.Rollback, RolloutDecider.DecideCritical(Auto, paused, critical, T0.AddSeconds(4)).Kind);
        Assert.False(RolloutDecider.DecideCritical(Auto, RolloutState.Idle(T0), critical, T0.AddSeconds(4)).Changed);
    }

    private static RolloutState Started(RolloutPlan plan) => RolloutCommands.Start(plan, RolloutState.Idle(T0), null, AtZero, domainRoutable: false, T0).Next!;

    private static HealthReport Report(HealthState state, params HealthCheck[] checks) =>
        new(T0, state, checks.Length > 0 ? checks : [new HealthCheck("error_rate", state, 0, 0.1, "x")]);
}
