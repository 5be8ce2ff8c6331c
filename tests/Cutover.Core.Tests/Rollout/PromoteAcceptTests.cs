using Cutover.Core.Errors;
using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary><c>rollout promote --accept GATE</c>: a step held by gates advances only when each is knowingly accepted.</summary>
public sealed class PromoteAcceptTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AfterSoak = T0 + TimeSpan.FromHours(5);
    private static readonly RolloutPlan Manual = new(RolloutPlan.DefaultSteps, RolloutMode.Manual, CriticalAction.Zero);
    private static readonly RolloutPlan Auto = Manual with { Mode = RolloutMode.Auto };

    private static readonly HealthCheck SplitWarn = new(HealthEvaluator.Split, HealthState.Warn, 6.8, 10, "the split is off in property");
    private static readonly HealthCheck CoverageShort = new(HealthEvaluator.HandlerCoverage, HealthState.InsufficientData, 40, 100, "needs 60 more");
    private static readonly HealthCheck ErrorsOk = new(HealthEvaluator.ErrorRate, HealthState.Ok, 0, 0.1, "fine");
    private static readonly HealthCheck ErrorsCritical = new(HealthEvaluator.ErrorRate, HealthState.Critical, 3, 0.5, "unified failed 3%");

    [Theory]
    [InlineData(RolloutMode.Manual)]
    [InlineData(RolloutMode.Auto)]
    public void Promote_HeldBySplitWithoutAccept_RefusedNamingTheGateAndHowToAcceptIt(RolloutMode mode)
    {
        var plan = Manual with { Mode = mode };
        var result = RolloutCommands.Promote(plan, Held(plan, SplitWarn, ErrorsOk), Report(SplitWarn, ErrorsOk), 10_000, [], AfterSoak);

        Assert.Equal(RolloutRefusalCode.GatesHold, result.Refusal!.Code);
        Assert.Equal("rollout_refused", result.Refusal.Error.WireName());
        Assert.Contains("held by split warn: the split is off in property", result.Error);
        Assert.Contains("--accept split --reason", result.Error);
    }

    [Theory]
    [InlineData(RolloutMode.Manual)]
    [InlineData(RolloutMode.Auto)]
    public void Promote_HeldBySplitAcceptingIt_AdvancesAndReturnsTheGateAsJudged(RolloutMode mode)
    {
        var plan = Manual with { Mode = mode };
        var result = RolloutCommands.Promote(plan, Held(plan, SplitWarn, ErrorsOk), Report(SplitWarn, ErrorsOk), 10_000, ["split"], AfterSoak);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((RolloutStatus.Soaking, 1, 25m, AfterSoak), (result.Next!.Status, result.Next.Step, result.Next.Percent, result.Next.StepStartedAt));
        Assert.Equal([SplitWarn], result.Accepted);
    }

    [Fact]
    public void Promote_AcceptedGateAppliesToThatStepOnly_TheNextStepIsJudgedInFull()
    {
        var promoted = RolloutCommands.Promote(Auto, Held(Auto, SplitWarn), Report(SplitWarn), 10_000, ["split"], AfterSoak).Next!;

        // the next step's soak over, split still warns: the controller holds again, nothing remembers the acceptance
        var next = RolloutDecider.Decide(Auto, promoted, Report(SplitWarn), 10_000, AfterSoak + TimeSpan.FromHours(5));

        Assert.Equal((RolloutDecisionKind.Hold, 25m), (next.Kind, next.Next.Percent));
        Assert.Contains("split warn", next.Reason);
    }

    [Fact]
    public void Promote_TwoGatesHoldOneAccepted_RefusedNamingTheOther()
    {
        var state = Held(Manual, SplitWarn, CoverageShort);

        var result = RolloutCommands.Promote(Manual, state, Report(SplitWarn, CoverageShort), 10_000, ["split"], AfterSoak);

        Assert.Equal(RolloutRefusalCode.GatesHold, result.Refusal!.Code);
        Assert.Contains("handler_coverage insufficient_data", result.Error);
        Assert.DoesNotContain("split warn", result.Error);
        Assert.True(RolloutCommands.Promote(Manual, state, Report(SplitWarn, CoverageShort), 10_000, ["split", "handler_coverage"], AfterSoak).Succeeded);
    }

    [Fact]
    public void Promote_AcceptingACriticalCheck_RefusedAsCriticalNamingIt()
    {
        var state = Held(Manual, SplitWarn, ErrorsCritical);

        var result = RolloutCommands.Promote(Manual, state, Report(SplitWarn, ErrorsCritical), 10_000, ["split", "error_rate"], AfterSoak);

        Assert.Equal(RolloutRefusalCode.CriticalNotAcceptable, result.Refusal!.Code);
        Assert.Equal("critical_health", result.Refusal.Error.WireName());
        Assert.Contains("error_rate critical: unified failed 3%", result.Error);
    }

    [Fact]
    public void Promote_CriticalCheckStandsNotAccepted_RefusedAsCritical()
    {
        var result = RolloutCommands.Promote(Manual, Held(Manual, SplitWarn), Report(SplitWarn, ErrorsCritical), 10_000, ["split"], AfterSoak);

        Assert.Equal(RolloutRefusalCode.CriticalHealth, result.Refusal!.Code);
        Assert.Contains("error_rate critical", result.Error);
    }

    [Fact]
    public void Promote_UnknownGate_RefusedNamingTheKnownOnes()
    {
        var result = RolloutCommands.Promote(Manual, Held(Manual, SplitWarn), Report(SplitWarn, ErrorsOk), 10_000, ["spilt"], AfterSoak);

        Assert.Equal(RolloutRefusalCode.UnknownGate, result.Refusal!.Code);
        Assert.Equal("unknown_gate", result.Refusal.Error.WireName());
        Assert.Equal("'spilt' is not a gate; the gates are split, error_rate", result.Error);
    }

    [Fact]
    public void Promote_StillSoakingOrTooFewRequests_NotAcceptable()
    {
        var state = Held(Manual, SplitWarn);

        var soaking = RolloutCommands.Promote(Manual, state, Report(SplitWarn), 10_000, ["split"], T0 + TimeSpan.FromHours(1));
        var quiet = RolloutCommands.Promote(Manual, state, Report(SplitWarn), 12, ["split"], AfterSoak);

        Assert.Contains("still soaking; a soak cannot be accepted", soaking.Error);
        Assert.Contains("has seen 12 of the 500 unified requests it needs", quiet.Error);
    }

    [Fact]
    public void Promote_Paused_RefusedEvenAccepting()
    {
        var paused = RolloutCommands.Pause(Held(Manual, SplitWarn), AfterSoak).Next!;

        var result = RolloutCommands.Promote(Manual, paused, Report(SplitWarn), 10_000, ["split"], AfterSoak);

        Assert.Equal(RolloutRefusalCode.NothingToPromote, result.Refusal!.Code);
        Assert.Contains("paused", result.Error);
    }

    [Fact]
    public void Promote_AwaitingPromotionWithoutAccept_AdvancesAsBeforeAcceptingNothing()
    {
        var awaiting = Held(Manual) with { Status = RolloutStatus.AwaitingPromotion, Note = null };

        var result = RolloutCommands.Promote(Manual, awaiting, Report(ErrorsOk), 10_000, [], AfterSoak);

        Assert.Equal(25m, result.Next!.Percent);
        Assert.Empty(result.Accepted);
    }

    /// <summary>Step 1 (10%) started at T0, soaked (4 h), holding on <paramref name="gates"/> as the decider leaves it.</summary>
    private static RolloutState Held(RolloutPlan plan, params HealthCheck[] gates)
    {
        var started = RolloutCommands.Start(plan, RolloutState.Idle(T0), null, RoutingState.Initial(["property"], T0), domainRoutable: false, T0).Next!;
        var decision = RolloutDecider.Decide(plan, started, Report(gates), 10_000, T0 + TimeSpan.FromHours(4));
        return gates.Length == 0 ? decision.Next with { Status = RolloutStatus.Holding } : decision.Next;
    }

    private static HealthReport Report(params HealthCheck[] checks) => new(T0, HealthReport.Worst(checks), checks);
}
