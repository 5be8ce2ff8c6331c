using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Routing;

/// <summary>
/// Notices routing changes made outside this process (another instance on the same store, or SQL) and publishes them.
/// Two ways at once: the store's change notifications (<see cref="IClusterStore.SubscribeAsync"/>; LISTEN/NOTIFY on
/// PostgreSQL) refresh at once, and a re-read every <c>Store:PollInterval</c> catches whatever a notification missed
/// (and is the only way on SQLite, which never notifies). A subscription that fails is tried again with backoff; the
/// polling goes on meanwhile, so a lost listener costs at most one poll interval of delay.
/// </summary>
internal sealed class RoutingRefresher(
    RoutingService routing,
    RoutingStateHolder holder,
    IClusterStore store,
    StoreAvailability availability,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<RoutingRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan FirstResubscribeDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxResubscribeDelay = TimeSpan.FromSeconds(30);

    // The poll and a notification may want the same refresh at once: one store read is enough.
    private readonly SemaphoreSlim _refreshLock = new(1, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PollAsync(stoppingToken), ListenAsync(stoppingToken));

    /// <summary>Reloads the routing state if the store holds a newer version; failures are reported, never thrown.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!holder.IsReady)
        {
            return;
        }

        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            await routing.RefreshAsync(cancellationToken);
            availability.Succeeded(StoreAvailability.RoutingRefresh);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Once per outage: a poll every second would otherwise log a warning every second while the store is away.
            if (availability.Failed(StoreAvailability.RoutingRefresh, ex))
            {
                LogMessages.RoutingPollFailed(logger, ex);
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Store.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the subscription is not needed to start; do not hold up the host's start
        var delay = FirstResubscribeDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using (var subscription = await store.SubscribeAsync(stoppingToken))
                {
                    availability.Succeeded(StoreAvailability.Subscription);
                    delay = FirstResubscribeDelay;

                    // Whatever may have changed while no one listened.
                    await RefreshAsync(stoppingToken);
                    await foreach (var channel in subscription.Changes.ReadAllAsync(stoppingToken))
                    {
                        LogMessages.StoreChanged(logger, channel);

                        // The rollout needs nothing here: it is read from the store at every look and every command.
                        if (channel is StoreChannels.Routing or StoreChannels.Resync)
                        {
                            await RefreshAsync(stoppingToken);
                        }
                    }
                }

                // The store ended the subscription: listen again, after a pause so a store that keeps ending it is not hammered.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                availability.Failed(StoreAvailability.Subscription, ex);
                LogMessages.SubscriptionFailed(logger, delay, ex);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 < MaxResubscribeDelay ? delay * 2 : MaxResubscribeDelay;
        }
    }
}
