using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary>The guard on unified once no rollout owns the percent (issue 14: "nothing watches unified after complete"), pure.</summary>
public sealed class UnifiedGuardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RolloutPlan Zero = new(RolloutPlan.DefaultSteps, RolloutMode.Auto, CriticalAction.Zero);
    private static readonly RolloutPlan StepBack = Zero with { OnCritical = CriticalAction.StepBack };
    private static readonly RoutingState AtZero = RoutingState.Initial(["jobs", "marketplace"], T0);
    private static readonly RoutingState AtFull = AtZero with { Percent = 100 };
    private static readonly HealthReport Critical = new(T0, HealthState.Critical,
        [new HealthCheck("error_rate", HealthState.Critical, 0.2, 0.05, "unified fails 20.0%"), new HealthCheck("latency", HealthState.Ok, 1, 2, "fine")]);
    private static readonly HealthReport Green = new(T0, HealthState.Ok, [new HealthCheck("error_rate", HealthState.Ok, 0, 0.05, "fine")]);

    [Fact]
    public void Decide_CompleteAt100AndCritical_RollsBackToZeroAndHaltsTheRollout()
    {
        var decision = UnifiedGuard.Decide(Zero, Complete(), AtFull, Critical, rollBack: true, episodeOpen: false, T0);

        Assert.Equal(GuardAction.RollBack, decision.Action);
        Assert.True(decision.EpisodeOpen);
        var plan = Assert.IsType<RollbackPlan>(decision.Rollback);
        Assert.Equal([new RoutingChange.SetPercent(0, null)], plan.Changes);
        Assert.Equal((RolloutStatus.Halted, 0m, 5), (plan.Next.Status, plan.Next.Percent, plan.Next.Step));
        Assert.Equal(100m, plan.FromPercent);
        Assert.StartsWith("guard on unified: critical after the rollout completed at 100%: error_rate: unified fails 20.0%", decision.Reason);
        Assert.Equal(["error_rate"], decision.Causes.Select(static c => c.Name));
    }

    [Fact]
    public void Decide_StepBackAfterComplete_GoesToTheStepBeforeTheLast()
    {
        var decision = UnifiedGuard.Decide(StepBack, Complete(), AtFull, Critical, rollBack: true, episodeOpen: false, T0);

        Assert.Equal(75m, decision.Rollback!.Next.Percent);
    }

    [Fact]
    public void TargetPercent_StepBackWithoutARollout_IsThePlansHighestStepBelowNow()
    {
        Assert.Equal(25m, UnifiedGuard.TargetPercent(StepBack, 30));
        Assert.Equal(0m, UnifiedGuard.TargetPercent(StepBack, 10));
        Assert.Equal(0m, UnifiedGuard.TargetPercent(Zero, 30));
    }

    [Fact]
    public void Decide_ManualPercentWithNoRollout_RollsBackAndKeepsWhyInTheIdleState()
    {
        var decision = UnifiedGuard.Decide(Zero, RolloutState.Idle(T0), AtZero with { Percent = 40 }, Critical, rollBack: true, episodeOpen: false, T0);

        Assert.Equal(GuardAction.RollBack, decision.Action);
        Assert.Equal(RolloutStatus.Idle, decision.Rollback!.Next.Status);
        Assert.StartsWith(UnifiedGuard.Prefix, decision.Rollback.Next.Note);
        Assert.Contains("with no rollout running at 40%", decision.Reason);
    }

    [Fact]
    public void Decide_GuardOff_NotifiesOnceAndLeavesRouting()
    {
        var first = UnifiedGuard.Decide(Zero, Complete(), AtFull, Critical, rollBack: false, episodeOpen: false, T0);
        var second = UnifiedGuard.Decide(Zero, Complete(), AtFull, Critical, rollBack: false, first.EpisodeOpen, T0);

        Assert.Equal((GuardAction.Notify, true), (first.Action, first.EpisodeOpen));
        Assert.Null(first.Rollback);
        Assert.Contains("Rollout:GuardAfterComplete is off", first.Reason);
        Assert.Equal((GuardAction.None, true), (second.Action, second.EpisodeOpen));
    }

    [Fact]
    public void Decide_EpisodeEndsWhenHealthRecovers_ThenANewCriticalIsToldAgain()
    {
        var told = UnifiedGuard.Decide(Zero, Complete(), AtFull, Critical, rollBack: false, episodeOpen: false, T0);
        var recovered = UnifiedGuard.Decide(Zero, Complete(), AtFull, Green, rollBack: false, told.EpisodeOpen, T0);
        var again = UnifiedGuard.Decide(Zero, Complete(), AtFull, Critical, rollBack: false, recovered.EpisodeOpen, T0);

        Assert.Equal((GuardAction.None, false), (recovered.Action, recovered.EpisodeOpen));
        Assert.Equal(GuardAction.Notify, again.Action);
    }

    [Fact]
    public void Decide_NoTrafficToUnified_DoesNothingEvenWhenCritical()
    {
        var atZero = UnifiedGuard.Decide(Zero, Complete() with { Status = RolloutStatus.Halted, Percent = 0 }, AtZero, Critical, true, false, T0);
        var killSwitch = UnifiedGuard.Decide(Zero, Complete(), AtFull with { Enabled = false }, Critical, true, false, T0);

        Assert.Equal((GuardAction.None, false), (atZero.Action, atZero.EpisodeOpen));
        Assert.Equal(GuardAction.None, killSwitch.Action);
    }

    [Fact]
    public void Decide_AtZeroWithAnOverrideOnUnified_NotifiesForNothingIsLeftToLower()
    {
        var pinned = AtZero with { Overrides = AtZero.Overrides.Add("u1", new UserOverride(Route.Unified, null, "ops", "QA", T0)) };

        var decision = UnifiedGuard.Decide(Zero, RolloutState.Idle(T0), pinned, Critical, rollBack: true, episodeOpen: false, T0);

        Assert.True(UnifiedGuard.Watches(pinned));
        Assert.Equal(GuardAction.Notify, decision.Action);
        Assert.Contains("nothing left to roll back", decision.Reason);
    }

    [Fact]
    public void Decide_ARunningRollout_IsLeftToTheDecider()
    {
        var running = Complete() with { Status = RolloutStatus.Soaking };

        Assert.Equal(GuardAction.None, UnifiedGuard.Decide(Zero, running, AtFull, Critical, true, false, T0).Action);
    }

    [Fact]
    public void CompleteSentence_SaysWhatIsTrue()
    {
        Assert.Equal("complete: every step soaked green", UnifiedGuard.CompleteSentence(Zero, Complete(), AtFull, Green, rollBack: true));
        Assert.Contains("the guard rolls back to 0%", UnifiedGuard.CompleteSentence(Zero, Complete(), AtFull, Critical, rollBack: true));
        Assert.Contains("only notifies", UnifiedGuard.CompleteSentence(Zero, Complete(), AtFull, Critical, rollBack: false));
    }

    private static RolloutState Complete() => RolloutState.Idle(T0) with
    {
        Status = RolloutStatus.Complete,
        Step = 5,
        Percent = 100,
        StartedAt = T0,
        StepStartedAt = T0,
        Version = 9,
    };
}
