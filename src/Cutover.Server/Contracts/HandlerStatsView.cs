namespace Cutover.Server.Contracts;

/// <summary>One handler on one route in <c>/admin/stats</c>.</summary>
public sealed record HandlerStatsView(
    string Handler,
    string RoutedTo,
    long Invocations,
    double? AvgResponseMs,
    double? P95Ms,
    long Failures,
    double FailureRatePct,
    DateTimeOffset? LastSeen);
