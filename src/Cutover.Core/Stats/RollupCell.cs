using Cutover.Core.DecisionLog;

namespace Cutover.Core.Stats;

/// <summary>
/// A mutable rollup being built: from decisions (a writer's batch) or from stored rows (a stats query).
/// Not thread-safe; each caller builds its own.
/// </summary>
public sealed class RollupCell
{
    public long Requests { get; private set; }

    public long Errors { get; private set; }

    public long Fallbacks { get; private set; }

    /// <summary>Unix milliseconds of the newest decision counted; 0 when none.</summary>
    public long LastAtMs { get; private set; }

    public LatencySketch Latency { get; } = new();

    public void Add(in DecisionRecord decision)
    {
        Requests++;
        Errors += Rollups.IsFailure(decision) ? 1 : 0;
        Fallbacks += decision.Fallback ? 1 : 0;
        LastAtMs = Math.Max(LastAtMs, decision.At.ToUnixTimeMilliseconds());
        Latency.Add(decision.LatencyMs);
    }

    /// <summary>Adds a stored row: counts add, sketches merge.</summary>
    public void Merge(RollupRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Requests += row.Requests;
        Errors += row.Errors;
        Fallbacks += row.Fallbacks;
        LastAtMs = Math.Max(LastAtMs, row.LastAtMs);
        Latency.MergeEncoded(row.Latency);
    }

    public void Merge(RollupCell other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Requests += other.Requests;
        Errors += other.Errors;
        Fallbacks += other.Fallbacks;
        LastAtMs = Math.Max(LastAtMs, other.LastAtMs);
        Latency.Merge(other.Latency);
    }

    public RollupRow ToRow(RollupKey key) =>
        new(key.PeriodStartMs, key.Domain, key.Route, key.Handler, Requests, Errors, Fallbacks, LastAtMs, Latency.ToBytes());
}
