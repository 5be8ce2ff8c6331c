namespace Cutover.Store;

/// <summary>How many decision records and rollup rows a retention purge deleted.</summary>
public sealed record PurgeResult(long Decisions, long Rollups);
