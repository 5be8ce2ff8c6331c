using Cutover.Server.Cluster;
using Cutover.Server.Health;
using Cutover.Server.Hosting;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Rollout;

/// <summary>
/// The loop: every <c>Rollout:EvaluationInterval</c> (on the host's <see cref="TimeProvider"/>, so tests run a week in
/// seconds) one look, and every <c>Rollout:FastCheckInterval</c> between them a fast look that only rolls back on a
/// critical verdict from the decisions since the last change (<see cref="RolloutService.CheckCriticalAsync"/>). Only the leader (<see cref="RolloutLeadership"/>) looks: it evaluates the rollout with
/// <see cref="RolloutService.EvaluateAsync"/> and stores its health verdict, so SQL's <c>check_routing_health()</c>
/// and other instances see it. Every instance tries to lead at start and at each tick, so when the leader dies another
/// takes over within one interval. A failed look is logged and the next one tries again.
/// </summary>
internal sealed class RolloutController(
    RolloutService rollouts,
    RolloutLeadership leadership,
    IHealthStore store,
    InstanceIdentity instance,
    CutoverMetrics metrics,
    TimeProvider time,
    ILogger<RolloutController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One timer at the fast interval; every tick whose time has reached the next full look is a full look (which
        // judges critical too), the others are fast looks. One loop, so the two never run at once.
        var fast = rollouts.FastCheckInterval < rollouts.EvaluationInterval ? rollouts.FastCheckInterval : rollouts.EvaluationInterval;
        using var timer = new PeriodicTimer(fast, time);
        var nextFull = time.GetUtcNow() + rollouts.EvaluationInterval;
        try
        {
            // Lead from the start when no one else does, rather than one interval later.
            await TryLeadAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = time.GetUtcNow();
                var full = now >= nextFull - Tolerance;
                if (full)
                {
                    nextFull = now + rollouts.EvaluationInterval;
                }

                if (await TryLeadAsync(stoppingToken))
                {
                    // Timed, so an operator sees health getting slow to judge (a look holds the store and a core meanwhile).
                    var started = time.GetTimestamp();
                    await (full ? LookAsync(stoppingToken) : FastLookAsync(stoppingToken));
                    metrics.Looked(full ? "full" : "fast", time.GetElapsedTime(started));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await leadership.DisposeAsync();
        }
    }

    private async Task<bool> TryLeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await leadership.EnsureAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever a store that is going away throws while asked for the lease, this instance just does not lead
            // this time; it must not end the loop (and the host with it).
            LogMessages.RolloutEvaluationFailed(logger, rollouts.EvaluationInterval, ex);
            return false;
        }
    }

    /// <summary>A timer tick may come a little early by the clock: a tick this close to the full look's time is that look.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A fast look by the leader: the decisions since the last change, acted on only when critical. Its verdict is not
    /// stored: it judges too little for <c>check_routing_health()</c>, which keeps the full look's.
    /// </summary>
    private async Task FastLookAsync(CancellationToken cancellationToken)
    {
        try
        {
            _ = await rollouts.CheckCriticalAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogMessages.RolloutEvaluationFailed(logger, rollouts.FastCheckInterval, ex);
        }
    }

    /// <summary>One look by the leader: the rollout (if one runs) and the health verdict, which is stored either way.</summary>
    private async Task LookAsync(CancellationToken cancellationToken)
    {
        try
        {
            // With or without a rollout, a look judges health (the guard watches unified when none runs).
            var (_, report) = await rollouts.EvaluateAsync(cancellationToken);
            try
            {
                await store.SaveHealthAsync(new HealthSnapshot(instance.Id, report), cancellationToken);
            }
            catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or TimeoutException)
            {
                LogMessages.HealthSaveFailed(logger, ex);
            }
        }
        catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogMessages.RolloutEvaluationFailed(logger, rollouts.EvaluationInterval, ex);
        }
    }
}
