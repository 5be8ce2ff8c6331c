using System.Collections.Frozen;
using Cutover.Core.Delivery;
using Cutover.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// What stands between a delivery and each upstream: a cap on how many deliveries it has at once
/// (<c>Delivery:ConcurrencyPerUpstream</c>), so that a slow handler cannot take every worker, and a circuit breaker, so
/// that a dead one is probed now and then instead of hammered by every update in the queue.
/// </summary>
internal sealed class UpstreamGates
{
    private readonly FrozenDictionary<string, Gate> _gates;
    private readonly int _limit;

    public UpstreamGates(IOptions<CutoverOptions> options)
    {
        var delivery = options.Value.Delivery;
        _limit = delivery.ConcurrencyPerUpstream;
        var breaker = delivery.Breaker;
        _gates = options.Value.Upstreams.Keys.ToFrozenDictionary(static k => k, _ => new Gate(new CircuitBreaker(breaker)), StringComparer.Ordinal);
    }

    /// <summary>
    /// Takes one of <paramref name="upstream"/>'s places, or says why not: <see cref="GateRefusal.Busy"/> (every place
    /// taken) or <see cref="GateRefusal.Open"/> (its circuit is open until <paramref name="retryAt"/>). A place taken
    /// must be given back with <see cref="Exit"/>.
    /// </summary>
    public GateRefusal TryEnter(string upstream, DateTimeOffset now, out DateTimeOffset retryAt)
    {
        var gate = _gates[upstream];

        // The place first: a probe handed out by the breaker and then not sent would keep the circuit half-open for a break.
        if (!gate.TryTake(_limit))
        {
            retryAt = now;
            return GateRefusal.Busy;
        }

        if (!gate.Breaker.TryAcquire(now, out retryAt))
        {
            gate.Give();
            return GateRefusal.Open;
        }

        return GateRefusal.None;
    }

    /// <summary>Gives the place back, telling the breaker whether the upstream answered (<paramref name="alive"/>: any answer but a failure worth retrying).</summary>
    public void Exit(string upstream, DateTimeOffset now, bool alive)
    {
        var gate = _gates[upstream];
        if (alive)
        {
            gate.Breaker.Succeeded(now);
        }
        else
        {
            gate.Breaker.Failed(now);
        }

        gate.Give();
    }

    /// <summary>Each upstream's circuit state and deliveries in flight now, for status and metrics.</summary>
    public IEnumerable<(string Upstream, CircuitState State, int InFlight)> Snapshot(DateTimeOffset now) =>
        _gates.Select(g => (g.Key, g.Value.Breaker.State(now), g.Value.InFlight));

    private sealed class Gate(CircuitBreaker breaker)
    {
        private int _inFlight;

        public CircuitBreaker Breaker { get; } = breaker;

        public int InFlight => Volatile.Read(ref _inFlight);

        public bool TryTake(int limit)
        {
            if (Interlocked.Increment(ref _inFlight) <= limit)
            {
                return true;
            }

            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        public void Give() => Interlocked.Decrement(ref _inFlight);
    }
}
