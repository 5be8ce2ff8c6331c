using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Cutover.Server.Rollout;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Stats;

/// <summary>
/// Deletes decisions and rollups past their retention, at start-up and then every <c>Retention:Interval</c>; only on the
/// instance that leads (<see cref="RolloutLeadership"/>), so many instances on one store do not all purge at once.
/// </summary>
internal sealed class RetentionService(
    IDecisionStore store, IDeliveryStore deliveries, RolloutLeadership leadership, IOptions<CutoverOptions> options, TimeProvider time,
    ILogger<RetentionService> logger)
    : BackgroundService
{
    private readonly RetentionOptions _retention = options.Value.Retention;
    private readonly DeliveryOptions _delivery = options.Value.Delivery;

    /// <summary>Runs one purge now; the background loop and tests call it.</summary>
    public async Task<PurgeResult> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var decisionsBefore = now - _retention.Decisions;
        var rollupsBefore = now - _retention.Rollups;
        var result = await store.PurgeAsync(decisionsBefore, rollupsBefore, cancellationToken);
        if (result.Decisions + result.Rollups > 0)
        {
            LogMessages.Purged(logger, result.Decisions, decisionsBefore, result.Rollups, rollupsBefore);
        }

        // Queued delivery: delivered updates after Delivery:KeepDelivered, deduplication keys after Delivery:DedupWindow.
        // Dead letters stay until an operator replays or purges them. Run in direct delivery too, for a store that was queued.
        var deliveredBefore = now - _delivery.KeepDelivered;
        var dedupBefore = now - _delivery.DedupWindow;
        var delivered = await deliveries.PurgeDeliveredAsync(deliveredBefore, cancellationToken);
        var keys = await deliveries.PurgeDedupAsync(dedupBefore, cancellationToken);
        if (delivered + keys > 0)
        {
            LogMessages.PurgedDeliveries(logger, delivered, deliveredBefore, keys, dedupBefore);
        }

        return result;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_retention.Interval, time);
        try
        {
            do
            {
                try
                {
                    if (await leadership.EnsureAsync(stoppingToken))
                    {
                        await PurgeOnceAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is StoreException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
                {
                    LogMessages.PurgeFailed(logger, _retention.Interval, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
