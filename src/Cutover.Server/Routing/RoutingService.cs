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
    ICutoverStore store,
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

    public async Task<ChangeOutcome> ApplyAsync(RoutingChange change, string actor, string? reason, CancellationToken cancellationToken)
    {
        await _changeLock.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var current = holder.Current.State;
                var context = new ChangeContext(actor, reason, time.GetUtcNow(), protection.Protect);
                var outcome = RoutingRules.Apply(current, change, holder.Topology, context);
                if (!outcome.Changed)
                {
                    return outcome;
                }

                if (await store.TryCommitRoutingAsync(current.Version, outcome.Next!, outcome.Event!, cancellationToken))
                {
                    holder.Publish(outcome.Next!);
                    LogMessages.RoutingChanged(logger, actor, outcome.Event!.Kind, outcome.Event.Reason, outcome.Next!.Version);
                    return outcome;
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
