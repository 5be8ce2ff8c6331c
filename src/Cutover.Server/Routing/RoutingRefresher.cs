using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Routing;

/// <summary>
/// Notices routing changes made outside this process (another instance on the same store, or SQL) by
/// polling the state's version, and publishes them.
/// </summary>
internal sealed class RoutingRefresher(
    RoutingService routing,
    RoutingStateHolder holder,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<RoutingRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Store.PollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!holder.IsReady)
                {
                    continue;
                }

                try
                {
                    await routing.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogMessages.RoutingPollFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
