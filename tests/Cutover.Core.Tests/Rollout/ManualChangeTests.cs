using Cutover.Core.Errors;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary>What a manual routing change may do while a rollout runs (<see cref="RolloutPolicy.ManualChange"/>), pure.</summary>
public sealed class ManualChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    public static TheoryData<RolloutStatus, bool> States => new()
    {
        { RolloutStatus.Idle, false },
        { RolloutStatus.Soaking, true },
        { RolloutStatus.AwaitingPromotion, true },
        { RolloutStatus.Holding, true },
        { RolloutStatus.Halted, false },
        { RolloutStatus.Complete, false },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void SetPercent_RefusedExactlyWhileTheRolloutRuns(RolloutStatus status, bool running)
    {
        // act
        var refusal = RolloutPolicy.ManualChange(At(status, 25), [new RoutingChange.SetPercent(50, null)]);

        // assert
        Assert.Equal(running, refusal is not null);
    }

    [Fact]
    public void PercentChange_WhileSoaking_OwnsPercentAsRolloutActive_WithTodaysSentence()
    {
        // act
        var refusal = RolloutPolicy.ManualChange(At(RolloutStatus.Soaking, 10) with { Paused = true }, [new RoutingChange.SetPercent(5, "jobs")]);

        // assert
        Assert.Equal(RolloutRefusalCode.OwnsPercent, refusal!.Code);
        Assert.Equal("rollout_active", refusal.Error.WireName());
        Assert.Equal("a rollout is soaking at 10% and owns the percent (paused or not): use rollout abort or rollback", refusal.Message);
    }

    [Fact]
    public void InheritPercent_WhileRunning_Refused() =>
        Assert.NotNull(RolloutPolicy.ManualChange(At(RolloutStatus.Holding, 35), [new RoutingChange.InheritPercent("jobs")]));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Routable_WhileRunning_AlwaysAllowed(bool routable) =>
        Assert.Null(RolloutPolicy.ManualChange(At(RolloutStatus.Soaking, 25), [new RoutingChange.SetRoutable("jobs", routable)]));

    [Fact]
    public void RoutableWithAPercent_WhileRunning_RefusedAsAWhole() =>
        Assert.NotNull(RolloutPolicy.ManualChange(At(RolloutStatus.Soaking, 25),
            [new RoutingChange.SetRoutable("jobs", false), new RoutingChange.SetPercent(0, "jobs")]));

    [Fact]
    public void KillSwitchAndOverrides_WhileRunning_Allowed() =>
        Assert.Null(RolloutPolicy.ManualChange(At(RolloutStatus.AwaitingPromotion, 25),
            [new RoutingChange.SetEnabled(false), new RoutingChange.SetOverride("250788000001", Route.Legacy, null), new RoutingChange.ClearOverride("250788000002")]));

    private static RolloutState At(RolloutStatus status, decimal percent) =>
        RolloutState.Idle(T0) with { Status = status, Step = 1, Percent = percent, StartedAt = T0, StepStartedAt = T0 };
}
