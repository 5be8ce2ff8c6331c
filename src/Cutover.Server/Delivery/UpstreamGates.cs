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
        _gates = options.Value.Upstreams.Keys.ToFrozenDictionary(
            static k => k, _ => new Gate(new CircuitBreaker(breaker), new SemaphoreSlim(_limit, _limit)), StringComparer.Ordinal);
    }

    /// <summary>
    /// Takes one of <paramref name="upstream"/>'s places, waiting up to <paramref name="wait"/> for one to free, or says
    /// why not: <see cref="GateRefusal.Busy"/> (every place still taken) or <see cref="GateRefusal.Open"/> (its circuit
    /// is open until <c>RetryAt</c>). A place taken must be given back with <see cref="Exit"/>.
    /// </summary>
    /// <remarks>
    /// The short wait is what keeps a busy but healthy upstream's updates from going back to the store and being claimed
    /// again moments later (a write each way, on the store every webhook needs); a slow upstream's updates wait no longer
    /// than that, so they do not hold the workers the other upstreams need.
    /// </remarks>
    public async ValueTask<(GateRefusal Refusal, DateTimeOffset RetryAt)> EnterAsync(string upstream, TimeSpan wait, TimeProvider time)
    {
        var gate = _gates[upstream];

        // The place first: a probe handed out by the breaker and then not sent would keep the circuit half-open for a break.
        if (!gate.Places.Wait(0) && !await gate.Places.WaitAsync(wait))
        {
            return (GateRefusal.Busy, time.GetUtcNow());
        }

        var now = time.GetUtcNow();
        if (!gate.Breaker.TryAcquire(now, out var retryAt))
        {
            gate.Places.Release();
            return (GateRefusal.Open, retryAt);
        }

        return (GateRefusal.None, now);
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

        gate.Places.Release();
    }

    /// <summary>Each upstream's circuit state and deliveries in flight now, for status and metrics.</summary>
    public IEnumerable<(string Upstream, CircuitState State, int InFlight)> Snapshot(DateTimeOffset now) =>
        _gates.Select(g => (g.Key, g.Value.Breaker.State(now), _limit - g.Value.Places.CurrentCount));

    private sealed record Gate(CircuitBreaker Breaker, SemaphoreSlim Places);
}
