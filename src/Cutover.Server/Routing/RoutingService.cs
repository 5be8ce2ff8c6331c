using Cutover.Core.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Routing;

/// <summary>
/// Applies operators' changes: checks them (<see cref="RoutingRules"/>), stores state and audit event in
/// one transaction, then publishes the new snapshot, so the next request sees it. Changes from this
/// process are serialized; a change made elsewhere first is noticed by the version check, reloaded,
/// and the change is tried again on top of it.
/// </summary>
internal sealed class RoutingService(
    IRoutingStore store,
    RoutingStateHolder holder,
    UserKeyProtection protection,
    TimeProvider time,
    ILogger<RoutingService> logger)
{
    private const int MaxAttempts = 5;
    private readonly SemaphoreSlim _changeLock = new(1, 1);

    public RoutingSnapshot Current => holder.Current;

    public async Task<RoutingState> LoadAsync(CancellationToken cancellationToken)
    {
        var topology = holder.Topology;
        var initial = RoutingState.Initial(
            topology.RoutableCandidates.Where(static d => d != RouterTopology.FallbackDomain), time.GetUtcNow());
        var state = await store.LoadRoutingStateAsync(initial, cancellationToken);
        holder.Publish(state);
        LogMessages.RoutingLoaded(logger, state.Version);
        return state;
    }

    /// <summary>Reloads the state if the store holds a newer version than the one published.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var version = await store.RoutingVersionAsync(cancellationToken);
        if (holder.IsReady && version <= holder.Current.State.Version)
        {
            return false;
        }

        var state = await store.LoadRoutingStateAsync(holder.Current.State, cancellationToken);
        return holder.Publish(state);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> together: each is checked on top of the previous one, and either
    /// all are stored in one transaction (with one audit event each) or, if one is refused, none is.
    /// </summary>
    public async Task<AppliedChanges> ApplyAsync(
        IReadOnlyList<RoutingChange> changes, string actor, string? reason, CancellationToken cancellationToken)
    {
        await _changeLock.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var current = holder.Current.State;
                var context = new ChangeContext(actor, reason, time.GetUtcNow(), protection.Protect);
                var next = current;
                var events = new List<AuditEvent>(changes.Count);
                foreach (var change in changes)
                {
                    var outcome = RoutingRules.Apply(next, change, holder.Topology, context);
                    if (!outcome.Succeeded)
                    {
                        return AppliedChanges.Refused(outcome);
                    }

                    if (outcome.Changed)
                    {
                        next = outcome.Next!;
                        events.Add(outcome.Event!);
                    }
                }

                if (events.Count == 0)
                {
                    return new AppliedChanges(ChangeError.None, null, []);
                }

                if (await store.TryCommitRoutingAsync(current.Version, next, events, cancellationToken) is { } stored)
                {
                    holder.Publish(next);
                    foreach (var audit in stored)
                    {
                        LogMessages.RoutingChanged(logger, actor, audit.Kind, audit.Reason, next.Version);
                    }

                    return new AppliedChanges(ChangeError.None, null, stored);
                }

                if (attempt == MaxAttempts)
                {
                    throw new StoreException($"the routing state kept changing underneath this change ({MaxAttempts} attempts); try again");
                }

                await RefreshAsync(cancellationToken);
            }
        }
        finally
        {
            _changeLock.Release();
        }
    }
}
