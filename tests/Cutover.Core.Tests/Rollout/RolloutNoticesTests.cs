using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary>Which rollout events are news (issue 14: "notifications are noisy"), pure.</summary>
public sealed class RolloutNoticesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RolloutPlan Plan = new(
        [new RolloutStep(10, TimeSpan.FromMinutes(5), 100), new RolloutStep(100, TimeSpan.FromMinutes(5), 100)], RolloutMode.Auto, CriticalAction.Zero);

    [Fact]
    public void HoldsForLackOfTraffic_FlippingOverManyLooks_AreToldOncePerStep()
    {
        var state = RolloutCommands.Start(Plan, RolloutState.Idle(T0), null, RoutingState.Initial(["jobs"], T0), false, T0).Next!;
        var thin = new HealthReport(T0, HealthState.InsufficientData, [new HealthCheck("error_rate", HealthState.InsufficientData, null, 0.05, "too few")]);
        var green = new HealthReport(T0, HealthState.Ok, [new HealthCheck("error_rate", HealthState.Ok, 0, 0.05, "fine")]);
        string? told = null;
        var holds = 0;
        var notified = 0;

        // act: 40 looks past the soak, the requests and the data never enough, the hold's reason flipping between them
        var now = T0 + TimeSpan.FromMinutes(6);
        for (var look = 0; look < 40; look++, now += TimeSpan.FromSeconds(30))
        {
            var decision = RolloutDecider.Decide(Plan, state, look % 2 == 0 ? green : thin, look % 2 == 0 ? 5 : 500, now);
            if (decision.Changed)
            {
                holds += decision.Kind == RolloutDecisionKind.Hold ? 1 : 0;
                notified += RolloutNotices.ShouldNotify(decision, told, out told) ? 1 : 0;
                state = decision.Next;
            }
        }

        Assert.True(holds >= 20, $"{holds} holds recorded");
        Assert.Equal(1, notified);
    }

    [Fact]
    public void AHoldForAWarning_IsAlwaysTold_AndANewStepTellsItsOwnLackOfTraffic()
    {
        var state = RolloutState.Idle(T0) with { Status = RolloutStatus.Soaking, Step = 0, Percent = 10, StartedAt = T0, StepStartedAt = T0 };
        var thinHold = new RolloutDecision(state with { Status = RolloutStatus.Holding }, RolloutDecisionKind.Hold, "thin", []) { ForLackOfTraffic = true };
        var warnHold = new RolloutDecision(state with { Status = RolloutStatus.Holding }, RolloutDecisionKind.Hold, "latency warn", []);
        var nextStep = thinHold with { Next = thinHold.Next with { Step = 1, StepStartedAt = T0.AddMinutes(5) } };

        Assert.True(RolloutNotices.ShouldNotify(thinHold, null, out var told));
        Assert.False(RolloutNotices.ShouldNotify(thinHold, told, out _));
        Assert.True(RolloutNotices.ShouldNotify(warnHold, told, out var unchanged));
        Assert.Equal(told, unchanged);
        Assert.True(RolloutNotices.ShouldNotify(nextStep, told, out _));
    }

    [Fact]
    public void Decide_HoldForTooFewRequests_IsMarkedLackOfTraffic_AndAWarnHoldIsNot()
    {
        var state = RolloutState.Idle(T0) with { Status = RolloutStatus.Soaking, Step = 0, Percent = 10, StartedAt = T0, StepStartedAt = T0 };
        var warn = new HealthReport(T0, HealthState.Warn, [new HealthCheck("latency", HealthState.Warn, 2, 1, "slow")]);
        var later = T0 + TimeSpan.FromMinutes(6);

        Assert.True(RolloutDecider.Decide(Plan, state, warn, 5, later).ForLackOfTraffic);
        Assert.False(RolloutDecider.Decide(Plan, state, warn, 500, later).ForLackOfTraffic);
    }
}
