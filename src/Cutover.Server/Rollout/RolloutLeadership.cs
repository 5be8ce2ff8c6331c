using Cutover.Server.Cluster;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Rollout;

/// <summary>
/// Whether this instance is the one that runs the rollout (and the retention purge): the holder of the store lease
/// <see cref="LeaseName"/>. On PostgreSQL that is an advisory lock tied to a connection, so a leader that dies loses it
/// and another instance wins it at its next look. Operator commands need no lease: they go through the store's
/// version checks on any instance.
/// </summary>
internal sealed class RolloutLeadership(IClusterStore store, InstanceIdentity instance, TimeProvider time, ILogger<RolloutLeadership> logger)
    : IAsyncDisposable
{
    public const string LeaseName = "rollout-controller";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IStoreLease? _lease;
    private DateTimeOffset? _since;

    public bool IsLeader => _lease is not null;

    /// <summary>The lease while held: tests dispose it to play a leader whose connection died.</summary>
    internal IStoreLease? HeldLease => _lease;

    /// <summary>Since when this instance leads; null when it does not.</summary>
    public DateTimeOffset? LeaderSince => _lease is null ? null : _since;

    /// <summary>
    /// Checks that a held lease is still held (a lost one is given up and this look does not try again, so another
    /// instance can win it), or tries to take the lease: whether this instance leads now.
    /// </summary>
    public async Task<bool> EnsureAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_lease is { } held)
            {
                Exception? failure = null;
                try
                {
                    if (await held.IsHeldAsync(cancellationToken))
                    {
                        return true;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Unsure means not leading: two controllers at once is worse than none for one interval.
                    failure = ex;
                }

                _lease = null;
                LogMessages.LeadershipLost(logger, instance.Id, LeaseName, failure);
                await DisposeQuietlyAsync(held);
                return false;
            }

            if (await store.TryAcquireLeaseAsync(LeaseName, cancellationToken) is { } lease)
            {
                _since = time.GetUtcNow();
                _lease = lease;
                LogMessages.LeadershipAcquired(logger, instance.Id, LeaseName);
                return true;
            }

            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives the lease up (stopping), so another instance takes over at its next look rather than after a timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _lease, null) is { } held)
        {
            LogMessages.LeadershipReleased(logger, instance.Id, LeaseName);
            await DisposeQuietlyAsync(held);
        }
    }

    private static async Task DisposeQuietlyAsync(IStoreLease lease)
    {
        try
        {
            await lease.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The connection holding it is gone already; so is the lease.
        }
    }
}
