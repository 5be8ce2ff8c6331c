using Cutover.Core.Rollout;
using Cutover.Core.Routing;

namespace Cutover.Store;

/// <summary>The rollout's state and the rollbacks it (or an operator) made.</summary>
public interface IRolloutStore
{
    /// <summary>The rollout's state; <see cref="RolloutState.Idle"/> at version 0 when none was ever stored.</summary>
    Task<RolloutState> LoadRolloutAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="next"/> (at version <paramref name="expectedVersion"/> + 1), the rollback if any, and the
    /// audit events, in one transaction if the stored version is still <paramref name="expectedVersion"/>: the events
    /// as stored, or null (nothing written) when someone else changed the rollout first.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>?> TrySaveRolloutAsync(
        long expectedVersion, RolloutState next, IReadOnlyList<AuditEvent> events, RollbackRecord? rollback, CancellationToken cancellationToken);

    /// <summary>The rollbacks, newest first.</summary>
    Task<IReadOnlyList<RollbackRecord>> RollbacksAsync(int limit, CancellationToken cancellationToken);
}
