using Cutover.Core.Routing;

namespace Cutover.Core.Health;

/// <summary>
/// A few seconds of one domain and route, counted from the decision log itself rather than its per-minute rollups:
/// the decisions whose time falls in [<see cref="StartMs"/>, start + the slice), the failures among them (counted as the
/// rollups count them: not a success, or served by a fallback), and how many took longer than the p95 warning and
/// critical thresholds. p95 is above a threshold exactly when more than 5% of the requests took longer than it, so
/// those two counts judge the p95 guard without a latency sketch.
/// </summary>
public readonly record struct DecisionSlice(
    long StartMs, string Domain, Route Route, long Requests, long Errors, long SlowerThanWarn, long SlowerThanCritical);
