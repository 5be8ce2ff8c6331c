using System.Collections.Immutable;
using Cutover.Core.Errors;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary>The rules between a rollout and routing (issue 14's "rules that were wrong"), pure.</summary>
public sealed class RolloutPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RolloutPlan Plan = new(RolloutPlan.DefaultSteps, RolloutMode.Manual, CriticalAction.Zero);
    private static readonly RoutingState Zero = RoutingState.Initial(["jobs", "marketplace"], T0);

    [Fact]
    public void Rollback_HaltedAtZeroWithRoutingAtZero_ChangesNothingAndSaysSo()
    {
        var halted = Running(35) with { Status = RolloutStatus.Halted, Percent = 0, Note = "critical" };

        var plan = RolloutPolicy.Rollback(halted, Zero, 0, "again", T0);

        Assert.True(plan.ChangesNothing);
        Assert.False(plan.Refused);
        Assert.Empty(plan.Changes);
        Assert.Equal("nothing to roll back: routing is at 0% already and no rollout is running; nothing was recorded", plan.Nothing);
    }

    [Fact]
    public void Rollback_NoRolloutAndRoutingAtZero_ChangesNothing()
    {
        Assert.True(RolloutPolicy.Rollback(RolloutState.Idle(T0), Zero, 0, "r", T0).ChangesNothing);
    }

    [Fact]
    public void Rollback_NoRolloutButADomainAboveTheTarget_BringsThatDomainBack()
    {
        var routing = Zero with { DomainPercents = ImmutableSortedDictionary<string, decimal>.Empty.Add("jobs", 20) };

        var plan = RolloutPolicy.Rollback(RolloutState.Idle(T0), routing, 0, "r", T0);

        Assert.False(plan.ChangesNothing);
        Assert.Equal([new RoutingChange.InheritPercent("jobs")], plan.Changes);
    }

    [Fact]
    public void Rollback_RunningAtTheTargetAlready_StillHaltsIt()
    {
        var running = Running(10);

        var plan = RolloutPolicy.Rollback(running, Zero with { Percent = 10 }, 10, "hold it here", T0);

        Assert.False(plan.ChangesNothing);
        Assert.Equal(RolloutStatus.Halted, plan.Next.Status);
        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void Rollback_AboveTheCurrentPercent_IsRefusedAsRaising()
    {
        var plan = RolloutPolicy.Rollback(Running(10), Zero with { Percent = 10 }, 25, "r", T0);

        Assert.Equal(RolloutRefusalCode.RollbackRaises, plan.Refusal!.Code);
        Assert.Equal("rollout_refused", plan.Refusal.Error.WireName());
    }

    [Fact]
    public void Rollback_OfACompleteRollout_HaltsIt_SoStatusDoesNotSayComplete()
    {
        var complete = Running(100) with { Status = RolloutStatus.Complete, Step = 5 };

        var plan = RolloutPolicy.Rollback(complete, Zero with { Percent = 100 }, 25, "unified p95 at 4 s", T0);

        Assert.Equal((RolloutStatus.Halted, 25m, 5), (plan.Next.Status, plan.Next.Percent, plan.Next.Step));
        Assert.Equal([new RoutingChange.SetPercent(25, null)], plan.Changes);
        Assert.Equal(100m, plan.FromPercent);
    }

    [Fact]
    public void Start_WhenRoutingIsAlreadyAtTheFirstStep_RecordsTheTrueBefore()
    {
        var idle = RolloutState.Idle(T0);
        var atTen = Zero with { Percent = 10 };

        var before = RolloutPolicy.AsFound(idle, atTen);
        var start = RolloutCommands.Start(Plan, idle, null, atTen, domainRoutable: false, T0);

        Assert.Equal(10m, before.Percent);
        Assert.Equal(10m, start.Next!.Percent);
    }

    [Fact]
    public void Start_AboveTheFirstStep_IsRefusedBecauseAPlanOnlyGoesUp()
    {
        var start = RolloutCommands.Start(Plan, RolloutState.Idle(T0), null, Zero with { Percent = 30 }, domainRoutable: false, T0);

        Assert.Equal(RolloutRefusalCode.BelowCurrentPercent, start.Refusal!.Code);
        Assert.Contains("routing is at 30%, above the plan's first step (10%)", start.Error);
    }

    [Fact]
    public void Start_WithTheKillSwitchOnOrAnUnroutableDomain_IsRefused()
    {
        Assert.Equal(RolloutRefusalCode.RoutingDisabled,
            RolloutCommands.Start(Plan, RolloutState.Idle(T0), null, Zero with { Enabled = false }, domainRoutable: false, T0).Refusal!.Code);
        Assert.Equal(RolloutRefusalCode.DomainNotRoutable,
            RolloutCommands.Start(Plan, RolloutState.Idle(T0), "mobility", Zero, domainRoutable: false, T0).Refusal!.Code);
    }

    [Fact]
    public void Resume_WhileACheckIsCritical_IsRefusedNamingTheCheck_UnlessForced()
    {
        var halted = Running(25) with { Status = RolloutStatus.Halted, Percent = 0, Step = 1 };
        var critical = new HealthReport(T0, HealthState.Critical,
        [
            new HealthCheck("probe:unified", HealthState.Critical, null, null, "GET /health failed twice: connection refused"),
            new HealthCheck("error_rate", HealthState.Ok, 0, 0.5, "fine"),
        ]);

        var refused = RolloutCommands.Resume(Plan, halted, critical, force: false, T0);
        var forced = RolloutCommands.Resume(Plan, halted, critical, force: true, T0);

        Assert.Equal(RolloutRefusalCode.CriticalHealth, refused.Refusal!.Code);
        Assert.Equal("critical_health", refused.Refusal.Error.WireName());
        Assert.Contains("probe:unified: GET /health failed twice: connection refused", refused.Error);
        Assert.DoesNotContain("error_rate", refused.Error);
        Assert.Equal((RolloutStatus.Soaking, 25m), (forced.Next!.Status, forced.Next.Percent));
    }

    [Fact]
    public void Resume_WhenNothingIsPausedOrHalted_SaysNothingToResumeEvenIfCritical()
    {
        var critical = new HealthReport(T0, HealthState.Critical, [new HealthCheck("error_rate", HealthState.Critical, 3, 0.5, "bad")]);

        var result = RolloutCommands.Resume(Plan, Running(10), critical, force: false, T0);

        Assert.Equal(RolloutRefusalCode.NothingToResume, result.Refusal!.Code);
    }

    [Fact]
    public void PercentChanges_ARunningStepAtAnotherPercent_SetsIt_AndLoweringEveryoneBringsDownHigherDomains()
    {
        var routing = Zero with
        {
            Percent = 50,
            DomainPercents = ImmutableSortedDictionary<string, decimal>.Empty.Add("marketplace", 75).Add("jobs", 60),
        };

        var step = RolloutPolicy.PercentChanges(routing, Running(25), lowering: false);
        var down = RolloutPolicy.PercentChanges(routing, RolloutState.Idle(T0) with { Percent = 0 }, lowering: true);

        Assert.Equal([new RoutingChange.SetPercent(25, null)], step);
        Assert.Equal(
            [new RoutingChange.SetPercent(0, null), new RoutingChange.InheritPercent("jobs"), new RoutingChange.InheritPercent("marketplace")],
            down);
    }

    [Fact]
    public void Rollback_WithOverridesOnUnified_CountsThemLeft_OrClearsThoseOfTheScopeWhenIncluded()
    {
        var pins = Zero.Overrides
            .Add("u-any", new UserOverride(Route.Unified, null, "ops", "QA", T0))
            .Add("u-jobs", new UserOverride(Route.Unified, "jobs", "ops", "QA", T0))
            .Add("u-market", new UserOverride(Route.Unified, "marketplace", "ops", "QA", T0))
            .Add("u-legacy", new UserOverride(Route.Legacy, null, "ops", "QA", T0))
            .Add("u-domain", new UserOverride(null, "jobs", "ops", "QA", T0));
        var routing = Zero with { Percent = 35, Overrides = pins };
        var jobsRollout = Running(35) with { Domain = "jobs" };

        var kept = RolloutPolicy.Rollback(Running(35), routing, 0, "r", T0);
        var cleared = RolloutPolicy.Rollback(Running(35), routing, 0, "r", T0, includeOverrides: true);
        var scoped = RolloutPolicy.Rollback(jobsRollout, routing with { DomainPercents = routing.DomainPercents.Add("jobs", 35) }, 0, "r", T0, includeOverrides: true);

        Assert.Equal((3, 0), (kept.OverridesLeft, kept.OverridesCleared));
        Assert.Equal([new RoutingChange.SetPercent(0, null)], kept.Changes);
        Assert.Equal((0, 3), (cleared.OverridesLeft, cleared.OverridesCleared));
        Assert.Equal(
            [new RoutingChange.SetPercent(0, null), new RoutingChange.ClearOverride("u-any"), new RoutingChange.ClearOverride("u-jobs"),
             new RoutingChange.ClearOverride("u-market")],
            cleared.Changes);
        Assert.Equal([new RoutingChange.SetPercent(0, "jobs"), new RoutingChange.ClearOverride("u-any"), new RoutingChange.ClearOverride("u-jobs")], scoped.Changes);
        Assert.StartsWith("3 users stay on unified by their overrides", RolloutPolicy.OverridesSentence(kept.OverridesLeft));
        Assert.Null(RolloutPolicy.OverridesSentence(0));
    }

    [Fact]
    public void Rollback_AtZeroAlreadyButWithOverridesIncluded_IsNotNothing()
    {
        var routing = Zero with { Overrides = Zero.Overrides.Add("u1", new UserOverride(Route.Unified, null, "ops", "QA", T0)) };

        var kept = RolloutPolicy.Rollback(RolloutState.Idle(T0), routing, 0, "r", T0);
        var cleared = RolloutPolicy.Rollback(RolloutState.Idle(T0), routing, 0, "r", T0, includeOverrides: true);

        Assert.True(kept.ChangesNothing);
        Assert.Equal(1, kept.OverridesLeft);
        Assert.False(cleared.ChangesNothing);
        Assert.Equal([new RoutingChange.ClearOverride("u1")], cleared.Changes);
    }

    private static RolloutState Running(decimal percent) => RolloutState.Idle(T0) with
    {
        Status = RolloutStatus.Soaking,
        Step = RolloutPlan.DefaultSteps.ToList().FindIndex(s => s.Percent == percent),
        Percent = percent,
        StartedAt = T0,
        StepStartedAt = T0,
    };
}
