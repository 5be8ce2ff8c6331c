using Cutover.Core.Routing;

namespace Cutover.Store;

/// <summary>The routing state every instance routes by, and the audit trail of its changes.</summary>
public interface IRoutingStore
{
    /// <summary>Loads the routing state, storing <paramref name="initial"/> first if there is none.</summary>
    Task<RoutingState> LoadRoutingStateAsync(RoutingState initial, CancellationToken cancellationToken);

    /// <summary>The version of the stored routing state, to notice changes made elsewhere.</summary>
    Task<long> RoutingVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="next"/> and the audit events that led to it in one transaction if the stored
    /// version is still <paramref name="expectedVersion"/>: the events as stored (with their ids), or null
    /// (nothing written) when someone else changed the state first.
    /// </summary>
    Task<IReadOnlyList<AuditEvent>?> TryCommitRoutingAsync(
        long expectedVersion, RoutingState next, IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Appends one event to the audit trail on its own: the record of an operator's action that changes no routing
    /// state (a dead-letter replay or purge), written once the action is done, with what it did. The event as stored
    /// (with its id).
    /// </summary>
    Task<AuditEvent> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken);

    /// <summary>The audit trail, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> HistoryAsync(HistoryQuery query, CancellationToken cancellationToken);
}
