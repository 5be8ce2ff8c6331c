namespace Cutover.Server.Contracts;

/// <summary>The decision log's queue and counters.</summary>
public sealed record DecisionLogStatus(int Queued, int Capacity, long Written, long Dropped, long Failed);
