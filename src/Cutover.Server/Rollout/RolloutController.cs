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
/// seconds) one look. Only the leader (<see cref="RolloutLeadership"/>) looks: it evaluates the rollout with
/// <see cref="RolloutService.EvaluateAsync"/> and stores its health verdict, so SQL's <c>check_routing_health()</c>
/// and other instances see it. Every instance tries to lead at start and at each tick, so when the leader dies another
/// takes over within one interval. A failed look is logged and the next one tries again.
/// </summary>
internal sealed class RolloutController(
    RolloutService rollouts,
    RolloutLeadership leadership,
    IHealthStore store,
    InstanceIdentity instance,
    TimeProvider time,
    ILogger<RolloutController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(rollouts.EvaluationInterval, time);
        try
        {
            // Lead from the start when no one else does, rather than one interval later.
            await TryLeadAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (await TryLeadAsync(stoppingToken))
                {
                    await LookAsync(stoppingToken);
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
