using Cutover.Core.Classification;
using Cutover.Core.Delivery;
using Cutover.Core.Text;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Contracts;
using Cutover.Server.DecisionLog;
using Cutover.Server.Delivery;
using Cutover.Server.Health;
using Cutover.Server.Hosting;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Store;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Admin;

/// <summary>
/// <c>GET /admin/status</c>'s answer, built now: also the status every change answers with, and the instance part of
/// <c>GET /admin/rollout</c>.
/// </summary>
internal sealed class AdminStatus(
    RoutingService routing,
    IStoreDatabase store,
    DecisionLogQueue decisionLog,
    IOptions<CutoverOptions> options,
    ServerClock clock,
    ProbeService probes,
    InstanceIdentity instance,
    RolloutLeadership leadership,
    SecurityWarnings warnings,
    DeliveryMonitor delivery,
    DeliveryWorker worker,
    UpstreamGates gates,
    TimeProvider time)
{
    public StatusResponse Build()
    {
        var o = options.Value;
        return ContractMapper.Status(routing.Current, decisionLog.Counters, new StoreStatus(store.Provider, store.Location),
            EnumNameConverter<DeliveryMode>.NameOf(o.Delivery.Mode), EnumNameConverter<UserKeysMode>.NameOf(o.Privacy.UserKeys), clock.StartedAt) with
        {
            Instance = Instance(),
            Warnings = warnings.All,
            Probes = probes.Results.ToDictionary(
                static r => r.Upstream, static r => new ProbeView(r.Ok, r.StatusCode, Math.Round(r.LatencyMs, 1), r.FailuresInARow, r.Detail, r.At),
                StringComparer.Ordinal),
            Queue = Queue(),
        };
    }

    /// <summary>Queued delivery's queue as last read, and this instance's workers and circuits; null in direct delivery.</summary>
    public QueueStatus? Queue()
    {
        if (!delivery.IsQueued)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var latest = delivery.Latest;
        var stats = latest?.Stats;
        return new QueueStatus(
            latest?.At, stats?.Pending ?? 0, stats?.InFlight ?? 0, stats?.Dead ?? 0, stats?.Delivered ?? 0,
            Math.Round(latest?.OldestAge(now).TotalSeconds ?? 0, 1), latest?.UnifiedDeadLetters ?? 0, worker.InFlight, options.Value.Delivery.Workers,
            gates.Snapshot(now).ToDictionary(
                static g => g.Upstream,
                static g => new UpstreamQueueView(EnumNameConverter<CircuitState>.NameOf(g.State), g.InFlight),
                StringComparer.Ordinal));
    }

    public InstanceStatus Instance()
    {
        var o = options.Value;
        return new InstanceStatus(instance.Id, leadership.IsLeader, leadership.LeaderSince, o.Memory.IsShared(o.Store.Provider));
    }
}
