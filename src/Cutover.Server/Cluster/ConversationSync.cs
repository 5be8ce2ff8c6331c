using Cutover.Core.Classification;
using Cutover.Core.Routing;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Cutover.Server.Rollout;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Cluster;

/// <summary>
/// Shares conversation memory between instances through the store, every <c>Memory:SyncInterval</c>: (1) take the
/// sightings queued by <see cref="SharedConversationMemory"/>, keeping each user's newest; (2) protect the user keys
/// (the hashing happens here, not on the request path) and write them; (3) read what other instances wrote since the
/// last read and make it recallable; (4) now and then (the leader only) purge entries older than the memory's TTL.
/// </summary>
/// <remarks>
/// Reading goes by the store's sequence, from a watermark (<see cref="SequencedPages"/>); what was already applied is
/// skipped, because an entry is applied only if it is newer than what this instance holds. An entry for a user this instance has seen (its protected key is one this instance
/// wrote) goes straight into the local memory under the raw key; any other waits in the remote map under the
/// protected key until the user turns up here. A failed write keeps its entries for the next tick (bounded).
/// </remarks>
internal sealed class ConversationSync(
    SharedConversationMemory memory,
    IClusterStore store,
    UserKeyProtection protection,
    InstanceIdentity instance,
    RolloutLeadership leadership,
    StoreAvailability availability,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<ConversationSync> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(5);

    private readonly MemoryOptions _options = options.Value.Memory;
    private readonly Dictionary<string, SharedConversationMemory.Sighting> _pending = new(StringComparer.Ordinal);
    private readonly SeenKeys _seen = new(options.Value.Memory.Capacity);
    private long _watermark;
    private long _droppedReported;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    /// <summary>The highest sequence read from the store.</summary>
    public long Watermark => _watermark;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Memory.IsShared(options.Value.Store.Provider))
        {
            return;
        }

        LogMessages.ConversationsShared(logger, _options.SyncInterval, instance.Id);
        using var timer = new PeriodicTimer(_options.SyncInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SyncOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: write, read, maybe purge. Failures are reported, never thrown; the next round tries again.</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        TakeQueued();
        try
        {
            await WritePendingAsync(cancellationToken);
            await ReadOthersAsync(cancellationToken);
            availability.Succeeded(StoreAvailability.MemorySync);
            await PurgeNowAndThenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            availability.Failed(StoreAvailability.MemorySync, ex);
        }

        ReportDrops();
    }

    private void TakeQueued()
    {
        while (memory.Outbox.TryRead(out var sighting))
        {
            if (_pending.TryGetValue(sighting.UserKey, out var held))
            {
                // Each half keeps its newest: a domain and an inbound route can come from different sightings.
                _pending[sighting.UserKey] = Merge(held, sighting);
            }
            else if (_pending.Count < memory.QueueCapacity)
            {
                _pending[sighting.UserKey] = sighting;
            }
            else
            {
                // The store has been away long enough for a queue's worth of users to pile up: these are not shared.
                memory.CountDropped(1);
            }
        }
    }

    private static SharedConversationMemory.Sighting Merge(SharedConversationMemory.Sighting held, SharedConversationMemory.Sighting next)
    {
        var (domain, seenAt) = next.Domain is not null && (held.Domain is null || next.SeenAt >= held.SeenAt)
            ? (next.Domain, next.SeenAt)
            : (held.Domain, held.SeenAt);
        var inbound = next.Inbound is { } n && (held.Inbound is not { } h || n.AtTicks >= h.AtTicks) ? next.Inbound : held.Inbound;
        return new SharedConversationMemory.Sighting(held.UserKey, domain, seenAt, inbound);
    }

    private async Task WritePendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var hasher = protection.Hasher;
        var entries = new List<ConversationEntry>(_pending.Count);
        foreach (var (userKey, sighting) in _pending)
        {
            var key = hasher.Protect(userKey)!;
            _seen.Add(key, userKey);
            var inbound = sighting.Inbound is { } i && i.Upstream is not null
                ? new InboundEntry(i.Domain, i.Route.ToName(), i.Upstream, i.At)
                : null;
            entries.Add(new ConversationEntry(key, sighting.Domain ?? string.Empty, sighting.SeenAt, instance.Id, Inbound: inbound));
        }

        await store.WriteConversationsAsync(entries, cancellationToken);
        _pending.Clear();
    }

    private async Task ReadOthersAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - _options.Kept;
        var hashing = protection.Hasher.IsHashing;
        _watermark = await SequencedPages.ReadAsync(_watermark,
            (after, limit, ct) => store.ReadConversationsAsync(after, since, instance.Id, limit, ct),
            static entry => entry.Sequence, entry => Apply(entry, hashing), cancellationToken);
    }

    private void Apply(ConversationEntry entry, bool hashing)
    {
        var target = !hashing ? memory.Local : _seen.TryGet(entry.UserKey, out _) ? memory.Local : memory.Remote;
        var key = hashing && _seen.TryGet(entry.UserKey, out var raw) ? raw : entry.UserKey;
        if (entry.Domain.Length > 0)
        {
            target.RememberIfNewer(key, entry.Domain, entry.SeenAt);
        }

        if (entry.Inbound is { } inbound && RouteNames.TryParse(inbound.Route, out var route))
        {
            target.RememberInboundIfNewer(key, new InboundRoute(inbound.Domain, route, inbound.Upstream, inbound.At.UtcTicks));
        }
    }

    private async Task PurgeNowAndThenAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastPurge < PurgeEvery || !leadership.IsLeader)
        {
            return;
        }

        _lastPurge = now;
        var before = now - _options.Kept;
        var purged = await store.PurgeConversationsAsync(before, cancellationToken);
        if (purged > 0)
        {
            LogMessages.ConversationsPurged(logger, purged, before);
        }
    }

    private void ReportDrops()
    {
        var dropped = memory.Dropped;
        if (dropped > _droppedReported)
        {
            _droppedReported = dropped;
            LogMessages.ConversationsDropped(logger, dropped);
        }
    }

    /// <summary>
    /// The protected keys of users this instance has seen, with their raw keys, in two generations like
    /// <see cref="Core.Classification.ConversationMemory"/>: at most its capacity, recent users kept. Only the sync uses it.
    /// </summary>
    private sealed class SeenKeys(int capacity)
    {
        private readonly int _generationSize = Math.Max(1, capacity / 2);
        private Dictionary<string, string> _current = new(StringComparer.Ordinal);
        private Dictionary<string, string> _previous = new(StringComparer.Ordinal);

        public void Add(string key, string raw)
        {
            _current[key] = raw;
            if (_current.Count >= _generationSize)
            {
                _previous = _current;
                _current = new Dictionary<string, string>(StringComparer.Ordinal);
            }
        }

        public bool TryGet(string key, out string raw) =>
            _current.TryGetValue(key, out raw!) || _previous.TryGetValue(key, out raw!);
    }
}
