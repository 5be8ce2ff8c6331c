namespace Cutover.Server.DecisionLog;

/// <summary>A reading of the decision log's counters.</summary>
public sealed record DecisionLogCounters(int Queued, int Capacity, long Written, long Dropped, long Failed);
