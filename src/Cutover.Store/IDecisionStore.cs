using Cutover.Core.DecisionLog;

namespace Cutover.Store;

/// <summary>The decision log: written in batches with its rollups, read back, and kept for as long as retention says.</summary>
public interface IDecisionStore
{
    /// <summary>
    /// Appends a batch of decisions and adds them to their rollups, in one transaction, so stats always agree with
    /// the log. User keys and message ids are already protected.
    /// </summary>
    Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken);

    /// <summary>Reads decisions back, newest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The decision tail: with <see cref="DecisionQuery.After"/>, the oldest <see cref="DecisionQuery.Limit"/> decisions
    /// after that row id (so a follower misses none however many arrive); without, the newest. Oldest first either way,
    /// with the cursor for the next read.
    /// </summary>
    Task<DecisionPage> ReadDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes decisions and rollups older than the given times, in slices that never block the log writer for long.</summary>
    Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken);
}
