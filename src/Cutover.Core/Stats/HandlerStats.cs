using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>
/// One handler (the upstream's <c>X-Handled-By</c>) on one route over a window: how often it was invoked,
/// how fast, and how often the route failed while it had the update.
/// </summary>
public sealed record HandlerStats(
    string Handler,
    Route Route,
    long Invocations,
    double? AvgResponseMs,
    double? P95Ms,
    long Failures,
    double FailureRatePct,
    DateTimeOffset? LastSeen);
