using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cutover.Server.Rollout;

/// <summary>
/// The loop: every <c>Rollout:EvaluationInterval</c> (on the host's <see cref="TimeProvider"/>, so tests run a week in
/// seconds) one <see cref="RolloutService.EvaluateAsync"/>. A failed look is logged and the next one tries again.
/// </summary>
internal sealed class RolloutController(RolloutService rollouts, TimeProvider time, ILogger<RolloutController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(rollouts.EvaluationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await rollouts.EvaluateAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or InvalidOperationException)
                {
                    LogMessages.RolloutEvaluationFailed(logger, rollouts.EvaluationInterval, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
