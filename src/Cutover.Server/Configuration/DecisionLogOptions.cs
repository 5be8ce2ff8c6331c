namespace Cutover.Server.Configuration;

/// <summary><c>DecisionLog:*</c>: the in-memory queue between requests and the store.</summary>
public sealed class DecisionLogOptions
{
    /// <summary>Records held in memory at most; when full, new records are dropped and counted. Default 65,536.</summary>
    [ConfigRange(1, 10_000_000)]
    public int QueueCapacity { get; set; } = CutoverDefaults.DecisionQueueCapacity;

    /// <summary>Records written per transaction at most, 1 to <see cref="QueueCapacity"/> (the rules). Default 1,000.</summary>
    public int BatchSize { get; set; } = CutoverDefaults.DecisionBatchSize;

    /// <summary>
    /// How long the writer lets a batch build up once a record is waiting, unless a full batch already is.
    /// Default 50 ms; 0 writes whatever is queued at once. Each transaction costs a commit and rewrites
    /// whole pages, so a few records per transaction cost several times what the records do.
    /// </summary>
    [ConfigRange(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan FlushInterval { get; set; } = CutoverDefaults.DecisionFlushInterval;
}
