using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>
/// One stored rollup: the counts of one domain × route × handler over one period, and its latency sketch
/// as <see cref="LatencySketch.ToBytes"/> wrote it. <paramref name="Errors"/> counts updates whose route
/// failed them (see <see cref="Rollups.IsFailure"/>); <paramref name="Fallbacks"/> the part of those legacy took.
/// </summary>
public sealed record RollupRow(
    long PeriodStartMs,
    string Domain,
    Route Route,
    string Handler,
    long Requests,
    long Errors,
    long Fallbacks,
    long LastAtMs,
    byte[] Latency)
{
    public RollupKey Key => new(PeriodStartMs, Domain, Route, Handler);
}
