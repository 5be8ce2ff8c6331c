using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Core.Tests.Rollout;

/// <summary>The sentence <c>rollout status</c> ends with (<see cref="RolloutNextStep.Describe"/>), pure.</summary>
public sealed class RolloutNextStepTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly RolloutPlan Manual = new(RolloutPlan.DefaultSteps, RolloutMode.Manual, CriticalAction.Zero);
    private static readonly HealthReport Green = new(T0, HealthState.Ok, [new HealthCheck("error_rate", HealthState.Ok, 0, 0.1, "ok")]);
    private static readonly RoutingState Routing = RoutingState.Initial(["jobs"], T0);

    [Fact]
    public void Idle_SaysHowToStart() =>
        Assert.Equal("nothing runs: 'cutover rollout start --reason …' begins the plan",
            RolloutNextStep.Describe(Manual, RolloutState.Idle(T0), Routing, Green, 0, true, T0));

    [Fact]
    public void Halted_SaysResumeRestartsTheStep() =>
        Assert.Equal("halted after a rollback (p95 high): 'cutover rollout resume' restarts step 2, 'cutover rollout abort' ends it",
            RolloutNextStep.Describe(Manual, Started() with { Status = RolloutStatus.Halted, Step = 1, Note = "p95 high" }, Routing, Green, 0, true, T0));

    [Fact]
    public void Soaking_SaysTimeLeftAndWhatFollowsInManualMode()
    {
        var sentence = RolloutNextStep.Describe(Manual, Started(), Routing, Green, 0, true, T0 + TimeSpan.FromHours(1));

        Assert.StartsWith("soaking ", sentence);
        Assert.EndsWith("; then, if every gate is green, it waits for 'cutover rollout promote' to 25%", sentence);
    }

    [Fact]
    public void Soaking_AutoMode_SaysItAdvances() =>
        Assert.EndsWith("it advances to 25%",
            RolloutNextStep.Describe(Manual with { Mode = RolloutMode.Auto }, Started(), Routing, Green, 0, true, T0 + TimeSpan.FromHours(1)));

    [Fact]
    public void Critical_SaysTheRollbackAtTheNextLook()
    {
        var critical = new HealthReport(T0, HealthState.Critical, [new HealthCheck("error_rate", HealthState.Critical, 0.3, 0.1, "30% errors")]);

        var sentence = RolloutNextStep.Describe(Manual, Started(), Routing, critical, 5_000, true, T0 + TimeSpan.FromHours(1));

        Assert.StartsWith("at the next look: roll back to 0% (", sentence);
    }

    private static RolloutState Started() =>
        RolloutCommands.Start(Manual, RolloutState.Idle(T0), null, RoutingState.Initial(["jobs"], T0), domainRoutable: false, T0).Next!;
}
