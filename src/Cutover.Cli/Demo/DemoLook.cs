using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Core.Stats;

namespace Cutover.Cli.Demo;

/// <summary>
/// What the demo shows after one look: simulated and real time, the rollout, the split per domain and unified's
/// latency and errors since the percent last changed (to <see cref="SplitPercent"/>, at <see cref="SplitSince"/>; the
/// look is taken before a change it decides, so these describe the step a new event ends), the gates as the controller
/// judged them, and the events so far.
/// </summary>
internal sealed record DemoLook(
    int Number,
    TimeSpan Simulated,
    TimeSpan Real,
    RolloutState Rollout,
    int Steps,
    TimeSpan? SoakLeft,
    decimal SplitPercent,
    TimeSpan SplitSince,
    IReadOnlyList<DomainSplit> Split,
    RouteStats? Unified,
    RouteStats? Legacy,
    HealthReport Health,
    bool Fault,
    IReadOnlyList<DemoEvent> Events);
