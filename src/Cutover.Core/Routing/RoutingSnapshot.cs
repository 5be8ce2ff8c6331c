using System.Collections.Frozen;

namespace Cutover.Core.Routing;

/// <summary>
/// Everything the hot path reads to route an update, frozen: the topology, the state, and each domain's
/// bucket threshold. A change builds a new snapshot and swaps the reference; requests never lock.
/// </summary>
public sealed class RoutingSnapshot
{
    private readonly FrozenDictionary<string, int> _thresholds;

    private RoutingSnapshot(RouterTopology topology, RoutingState state, FrozenDictionary<string, int> thresholds)
    {
        Topology = topology;
        State = state;
        _thresholds = thresholds;
    }

    public RouterTopology Topology { get; }

    public RoutingState State { get; }

    public static RoutingSnapshot Create(RouterTopology topology, RoutingState state)
    {
        var thresholds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var domain in topology.Domains.Values)
        {
            // Not routable (or protected) is -1: no bucket is below it.
            var routable = !domain.Protected && state.Routable.Contains(domain.Name);
            thresholds[domain.Name] = routable ? Bucketing.ThresholdOf(state.PercentFor(domain.Name)) : -1;
        }

        return new RoutingSnapshot(topology, state, thresholds.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The bucket threshold of a domain; -1 when the domain is not routable.</summary>
    public int ThresholdOf(string domain) => _thresholds.TryGetValue(domain, out var threshold) ? threshold : -1;

    public bool IsRoutable(string domain) => ThresholdOf(domain) >= 0;
}
