using Cutover.Core.Routing;

namespace Cutover.Server.Routing;

/// <summary>
/// The atomic holder of the current <see cref="RoutingSnapshot"/>. The hot path reads the reference
/// once per request; a change builds a new snapshot and swaps it in. Older versions are ignored, so a
/// late poll result never undoes a newer change.
/// </summary>
internal sealed class RoutingStateHolder(RouterTopology topology)
{
    private readonly Lock _publishLock = new();
    private volatile RoutingSnapshot? _current;

    public bool IsReady => _current is not null;

    public RoutingSnapshot Current => _current ?? throw new InvalidOperationException("the routing state is not loaded yet");

    public RouterTopology Topology => topology;

    /// <returns>true when <paramref name="state"/> is newer than what was held and is now current.</returns>
    public bool Publish(RoutingState state)
    {
        lock (_publishLock)
        {
            if (_current is { } held && held.State.Version >= state.Version)
            {
                return false;
            }

            _current = RoutingSnapshot.Create(topology, state);
            return true;
        }
    }
}
