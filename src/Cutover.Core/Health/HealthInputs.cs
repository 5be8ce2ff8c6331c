using Cutover.Core.Stats;

namespace Cutover.Core.Health;

/// <summary>
/// What health is judged from. <see cref="Window"/> feeds the absolute guards, the latency comparison and the
/// handlers; <see cref="Recent"/> (a few minutes) the absolute guards too, so a sudden failure is not diluted by an
/// hour of good traffic; <see cref="Reference"/> (the window before it was cut at the last change) gives legacy's p95
/// when the window has too little legacy traffic; <see cref="SinceChange"/> (whole minutes since the last routing change) the split, which a change
/// inside the window would blur; <see cref="Intervals"/> (one per minute × domain, since the same change) the
/// sequential error comparison, so each rollout step starts a fresh test. <see cref="ExpectedPercent"/> holds
/// each routable domain's effective unified percent (0 when routing is disabled). <see cref="Users"/> holds, per domain,
/// the distinct users seen over <see cref="Window"/>'s span and how many of them went to unified, without what no
/// bucket routes (no user key, changes of other fields) and without users an override pins to a route: the split.
/// <see cref="Exact"/> (the decision log since the change's exact time, at most <c>Health:RecentWindow</c>) feeds the
/// absolute guards too, so the first looks after a change judge its first seconds instead of waiting for a whole minute
/// of rollups; <see cref="Intervals"/> then starts with that first partial minute, so the comparison and its minimum
/// sample count from the change's exact time as well.
/// </summary>
public sealed record HealthInputs(
    DateTimeOffset Now,
    StatsReport Window,
    StatsReport SinceChange,
    IReadOnlyList<ComparisonInterval> Intervals,
    IReadOnlyDictionary<string, decimal> ExpectedPercent,
    IReadOnlyList<HealthCheck>? ExtraChecks = null,
    StatsReport? Recent = null,
    Baseline? Baseline = null,
    StatsReport? Reference = null,
    IReadOnlyList<DomainUsers>? Users = null,
    ChangeWindow? Exact = null);
