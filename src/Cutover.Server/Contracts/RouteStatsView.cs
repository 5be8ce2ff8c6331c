namespace Cutover.Server.Contracts;

/// <summary>One domain × route (or one route over all domains) in <c>/admin/stats</c>; field names as DESIGN.md fixes them.</summary>
public sealed record RouteStatsView(
    string Domain,
    string RoutedTo,
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
