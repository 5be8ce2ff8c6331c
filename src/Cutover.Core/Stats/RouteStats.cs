using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>
/// One domain × route over a window (or one route over all domains, with <see cref="Domain"/>
/// <see cref="StatsReport.AllDomains"/>). Latencies are null without requests; <see cref="SharePct"/> is
/// this route's part of the domain's requests.
/// </summary>
public sealed record RouteStats(
    string Domain,
    Route Route,
    long RequestCount,
    double? AvgResponseMs,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    long ErrorCount,
    double ErrorRatePct,
    long FallbackCount,
    double SharePct,
    DateTimeOffset? LastRequest);
