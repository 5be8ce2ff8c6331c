using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Delivery;

/// <summary>
/// Queued delivery's back half: claims due updates from the store (as many as this instance has free workers, at most
/// one per person: the store keeps each person's updates in acceptance order, across instances) and hands each to the
/// <see cref="Deliverer"/>. Wakes at once for work accepted here or a delivery finished; polls for the rest.
/// </summary>
/// <remarks>
/// What dies with this process (claimed, not finished) is claimed again by any instance once its lease ends, so every
/// accepted update is delivered at least once. A clean stop claims nothing more and lets the deliveries under way end
/// (each within its upstream's timeout) so that their outcomes are recorded.
/// </remarks>
internal sealed class DeliveryWorker : BackgroundService
{
    // A claim takes at most this many rows: enough to fill the workers in a few round trips, small enough to stay short.
    private const int MaxClaim = 256;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // The least time between two claims that find less than a backlog (see ExecuteAsync): short beside a delivery.
    private static readonly TimeSpan ClaimLinger = TimeSpan.FromMilliseconds(5);

    private readonly DeliveryOptions _options;
    private readonly IDeliveryStore _store;
    private readonly Deliverer _deliverer;
    private readonly DeliverySignal _signal;
    private readonly RoutingStateHolder _routing;
    private readonly StoreAvailability _availability;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliveryWorker> _logger;
    private readonly SemaphoreSlim _slots;

    // The updates this process is delivering now, by id, each with the latest claim that handed it back meanwhile
    // (null: none). Guarded by its own lock: a claim and a delivery's end must see each other whole (see Deferred).
    private readonly Dictionary<long, ClaimedDelivery?> _running = [];
    private int _inFlight;

    public DeliveryWorker(
        IOptions<CutoverOptions> options,
        IDeliveryStore store,
        Deliverer deliverer,
        DeliverySignal signal,
        RoutingStateHolder routing,
        InstanceIdentity instance,
        StoreAvailability availability,
        TimeProvider time,
        ILogger<DeliveryWorker> logger)
    {
        _options = options.Value.Delivery;
        _store = store;
        _deliverer = deliverer;
        _signal = signal;
        _routing = routing;
        _availability = availability;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.Workers, _options.Workers);

        // The instance's id names it in leases; the suffix tells a restarted process from the one whose leases it waits out.
        Owner = $"{instance.Id}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
    }

    /// <summary>The name this process leases updates under.</summary>
    public string Owner { get; }

    /// <summary>Deliveries under way now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Mode != DeliveryMode.Queued)
        {
            return;
        }

        // Routing decides at delivery time; before the state is loaded there is nothing to decide with.
        while (!_routing.IsReady)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, stoppingToken);
        }

        LogMessages.DeliveryStarted(_logger, _options.Workers, _options.ConcurrencyPerUpstream, _options.Lease, Owner);
        var backoff = _options.PollInterval;
        var lastClaim = 0L;
        var backlog = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // A free worker first, then as many more as are free right now: the claim is sized to them. Unless the
                // last claim took all it asked for (a backlog to work through), claims come at most one per ClaimLinger:
                // under load every acceptance and every finished delivery wakes this loop, and a claim for each, taking
                // a row or two, would cost the store a write apiece, which acceptances then wait behind. When idle,
                // the last claim is long past and new work is claimed at once.
                await _slots.WaitAsync(stoppingToken);
                var free = 1 + TakeFreeSlots(MaxClaim - 1);
                var since = _time.GetElapsedTime(lastClaim);
                if (!backlog && since < ClaimLinger)
                {
                    await Task.Delay(ClaimLinger - since, _time, stoppingToken);
                    free += TakeFreeSlots(MaxClaim - free);
                }

                lastClaim = _time.GetTimestamp();

                IReadOnlyList<ClaimedDelivery> claims;
                try
                {
                    claims = await _store.ClaimAsync(Owner, free, _time.GetUtcNow(), _options.Lease, stoppingToken);
                    _availability.Succeeded(StoreAvailability.Delivery);
                    backoff = _options.PollInterval;
                }
                catch (Exception ex)
                {
                    _slots.Release(free);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }

                    _availability.Failed(StoreAvailability.Delivery, ex);
                    LogMessages.DeliveryClaimFailed(_logger, backoff, ex);
                    await Task.Delay(backoff, _time, stoppingToken);
                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                    continue;
                }

                backlog = claims.Count == free;
                if (free > claims.Count)
                {
                    _slots.Release(free - claims.Count);
                }

                foreach (var claim in claims)
                {
                    // Handed back while this process still delivers it: not a second delivery now (see Deferred).
                    if (!TryStart(claim))
                    {
                        _slots.Release();
                        continue;
                    }

                    Interlocked.Increment(ref _inFlight);
                    _ = RunAsync(claim);
                }

                if (claims.Count == 0)
                {
                    await _signal.WaitAsync(_options.PollInterval, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Every worker's slot back means every delivery under way has recorded its outcome.
        LogMessages.DeliveryStopping(_logger, InFlight);
        for (var i = 0; i < _options.Workers; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
    }

    /// <summary>Takes up to <paramref name="most"/> of the worker slots free right now, without waiting; returns how many.</summary>
    private int TakeFreeSlots(int most)
    {
        var taken = 0;
        while (taken < most && _slots.Wait(0, CancellationToken.None))
        {
            taken++;
        }

        return taken;
    }

    /// <summary>Marks the claimed update as being delivered here; false when it already is (the claim is kept, deferred).</summary>
    private bool TryStart(ClaimedDelivery claim)
    {
        lock (_running)
        {
            if (_running.TryAdd(claim.Id, null))
            {
                return true;
            }

            _running[claim.Id] = claim;
            return false;
        }
    }

    /// <summary>
    /// The claims that handed <paramref name="id"/> back while it was being delivered here, settled before it is
    /// claimable again. Such a claim came either before the delivery's outcome was recorded (its lease ran out while the
    /// store or the machine was slow: the outcome, written under the same owner, then ended that lease too) or after (the
    /// outcome put the update back to wait and it fell due at once: the claim leased it anew). This process cannot tell
    /// which, and must not guess: delivering it could send the update twice, dropping it would leave it leased to nobody
    /// until the lease ends. So it is released: a row still leased to this owner goes back to wait, due now, and is claimed
    /// again; a row the outcome already ended is not leased, and the release changes nothing.
    /// </summary>
    private async Task SettleDeferredAsync(long id)
    {
        while (true)
        {
            lock (_running)
            {
                if (_running[id] is null)
                {
                    _running.Remove(id);
                    return;
                }

                _running[id] = null;
            }

            try
            {
                await _store.ReleaseAsync(id, Owner, _time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception ex)
            {
                // The row waits for its lease to end, as any outcome the store failed to record.
                LogMessages.DeliveryReleaseFailed(_logger, id, ex);
            }
        }
    }

    private async Task RunAsync(ClaimedDelivery claim)
    {
        // Off the claiming loop at once: the attempt's first await must not hold up the next claim.
        await Task.Yield();
        try
        {
            await _deliverer.DeliverAsync(claim, Owner);
        }
        catch (Exception ex)
        {
            LogMessages.DeliveryCrashed(_logger, claim.Id, claim.CorrelationId, ex);
        }

        try
        {
            // Its outcome is recorded (or failed to be, and the row waits for its lease to end): claimable again from here.
            await SettleDeferredAsync(claim.Id);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();

            // The person's next update may be claimable now.
            _signal.Wake();
        }
    }

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }
}
