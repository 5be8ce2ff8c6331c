namespace Cutover.Server.Configuration;

/// <summary><c>DecisionLog:*</c>: the in-memory queue between requests and the store.</summary>
public sealed class DecisionLogOptions
{
    /// <summary>Records held in memory at most; when full, new records are dropped and counted. Default 65,536.</summary>
    public int QueueCapacity { get; set; } = CutoverDefaults.DecisionQueueCapacity;

    /// <summary>
    /// Records written per transaction at most. Default 1,000. Batches form by themselves: while one is
    /// written, the next builds up, so there is no flush timer.
    /// </summary>
    public int BatchSize { get; set; } = CutoverDefaults.DecisionBatchSize;
}
