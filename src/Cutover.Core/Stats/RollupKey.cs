using Cutover.Core.Routing;

namespace Cutover.Core.Stats;

/// <summary>
/// What one rollup row counts: one domain × route × handler in the period starting at
/// <paramref name="PeriodStartMs"/> (Unix milliseconds, a multiple of the resolution).
/// <paramref name="Handler"/> is <see cref="Rollups.NoHandler"/> when the upstream named none.
/// </summary>
public readonly record struct RollupKey(long PeriodStartMs, string Domain, Route Route, string Handler);
