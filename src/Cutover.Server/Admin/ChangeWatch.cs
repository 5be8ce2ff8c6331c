using Cutover.Core.Health;
using Cutover.Core.Rollout;
using Cutover.Server.Contracts;
using Cutover.Server.Health;
using Cutover.Server.Routing;
using Cutover.Store;

namespace Cutover.Server.Admin;

/// <summary>
/// What <c>GET /admin/events</c> compares from one look to the next: the routing state's version, the rollout's, the
/// newest audit event (every change, step and rollback writes one) and health's verdict. One reading is shared by every
/// open stream for a second, so ten open dashboards cost the store what one does.
/// </summary>
internal sealed class ChangeWatch(RoutingStateHolder routing, IRolloutStore rollouts, IRoutingStore audit, HealthService health, TimeProvider time)
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private ChangeEventView? _last;
    private DateTimeOffset _readAt;

    public async Task<ChangeEventView> ReadAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_last is not null && now - _readAt < FreshFor)
            {
                return _last;
            }

            _last = await LookAsync(_last, cancellationToken);
            _readAt = now;
            return _last;
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<ChangeEventView> LookAsync(ChangeEventView? last, CancellationToken cancellationToken)
    {
        var version = routing.IsReady ? routing.Current.State.Version : 0;
        try
        {
            var rollout = await rollouts.LoadRolloutAsync(cancellationToken);
            var newest = await audit.HistoryAsync(new HistoryQuery(1), cancellationToken);
            var report = await health.RecentAsync(cancellationToken);
            return new ChangeEventView(
                version,
                rollout.Version,
                rollout.Paused ? $"{rollout.Status.ToName()} (paused)" : rollout.Status.ToName(),
                newest.Count == 0 ? 0 : newest[0].Id,
                report.State.ToName(),
                StoreAvailable: true);
        }
        catch (Exception ex) when (ex is StoreException or System.Data.Common.DbException or TimeoutException)
        {
            // The routing version is in memory and still tells; the rest is what was last read.
            return new ChangeEventView(version, last?.RolloutVersion ?? 0, last?.Rollout ?? "unknown", last?.LastEventId ?? 0,
                last?.Health ?? "unknown", StoreAvailable: false);
        }
    }
}
