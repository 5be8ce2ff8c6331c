using Cutover.Core.Identity;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Cluster;

/// <summary>
/// Keeps the identity map across restarts and, when memory is shared, across instances: at start-up (before the first
/// webhook) it loads the most recent identifiers from the store; then every <c>Memory:SyncInterval</c> it (1) stores
/// what the map learned, protected as the decision log protects user keys, and (2) when shared, reads what other
/// instances learned since the last read.
/// </summary>
/// <remarks>
/// Reading goes by the store's sequence from a watermark (<see cref="SequencedPages"/>; applying an entry twice changes
/// nothing). An identifier or person this instance
/// wrote is known raw (a bounded map of what it wrote), so the entry becomes a local one; any other waits under its
/// stored form until the identifier turns up here (one hash, on a local miss). A failed write keeps its links for the
/// next round, bounded by the queue's capacity.
/// </remarks>
internal sealed class IdentitySync(
    SharedIdentities identities,
    IClusterStore store,
    UserKeyProtection protection,
    InstanceIdentity instance,
    StoreAvailability availability,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<IdentitySync> logger) : BackgroundService
{
    private readonly MemoryOptions _options = options.Value.Memory;
    private readonly Dictionary<string, IdentityLink> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);
    private long _watermark;
    private long _droppedReported;

    /// <summary>The highest sequence read from the store.</summary>
    public long Watermark => _watermark;

    private bool Shared => _options.IsShared(options.Value.Store.Provider);

    /// <summary>Loads what the store knows before the server takes its first webhook, so nobody is "new" after a restart.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The store away at start-up: routing works without history (a person first seen again is keyed anew), and
            // the next rounds store what is learned meanwhile.
            availability.Failed(StoreAvailability.MemorySync, ex);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

        // What was learned in the last moments is worth one more try on the way out.
        try
        {
            TakeQueued();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WritePendingAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            availability.Failed(StoreAvailability.MemorySync, ex);
        }
    }

    /// <summary>The most recent identifiers, up to the map's capacity.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var hashing = protection.Hasher.IsHashing;
        var entries = await store.ReadRecentIdentitiesAsync(_options.Capacity, cancellationToken);
        foreach (var entry in entries)
        {
            Apply(entry, hashing);
            _watermark = Math.Max(_watermark, entry.Sequence);
        }

        if (entries.Count > 0)
        {
            LogMessages.IdentitiesLoaded(logger, entries.Count);
        }
    }

    /// <summary>One round: write, then read others when shared. Failures are reported, never thrown.</summary>
    public async Task SyncOnceAsync(CancellationToken cancellationToken)
    {
        TakeQueued();
        try
        {
            await WritePendingAsync(cancellationToken);
            if (Shared)
            {
                await ReadOthersAsync(cancellationToken);
            }

            availability.Succeeded(StoreAvailability.MemorySync);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            availability.Failed(StoreAvailability.MemorySync, ex);
        }

        ReportDrops();
    }

    private void TakeQueued()
    {
        while (identities.Outbox.TryRead(out var link))
        {
            // The latest link of an identifier wins: a person it moved to replaces the one it had.
            if (_pending.Count < identities.QueueCapacity || _pending.ContainsKey(link.Identifier))
            {
                _pending[link.Identifier] = link;
            }
            else
            {
                identities.CountDropped(1);
            }
        }
    }

    private async Task WritePendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var hasher = protection.Hasher;
        var entries = new List<IdentityEntry>(_pending.Count);
        foreach (var link in _pending.Values)
        {
            var identifier = hasher.Protect(link.Identifier)!;
            var person = hasher.Protect(link.PersonKey)!;
            Remember(identifier, link.Identifier);
            Remember(person, link.PersonKey);
            entries.Add(new IdentityEntry(identifier, person, link.Bucket, link.FirstSeen, instance.Id));
        }

        await store.WriteIdentitiesAsync(entries, cancellationToken);
        _pending.Clear();
    }

    private async Task ReadOthersAsync(CancellationToken cancellationToken)
    {
        var hashing = protection.Hasher.IsHashing;
        _watermark = await SequencedPages.ReadAsync(_watermark,
            (after, limit, ct) => store.ReadIdentitiesAsync(after, instance.Id, limit, ct),
            static entry => entry.Sequence, entry => Apply(entry, hashing), cancellationToken);
    }

    private void Apply(IdentityEntry entry, bool hashing)
    {
        // With raw keys the stored form is the identifier itself; otherwise only what this instance wrote is known raw.
        var raw = hashing ? Raw(entry.Identifier) : entry.Identifier;
        var rawPerson = hashing ? Raw(entry.Person) : entry.Person;
        identities.Map.Apply(entry.Identifier, raw, entry.Person, rawPerson, entry.Bucket, entry.FirstSeen);
    }

    private string? Raw(string stored) => _written.TryGetValue(stored, out var raw) ? raw : null;

    private void Remember(string stored, string raw)
    {
        // Bounded like the map: past its capacity the oldest knowledge goes (an entry then waits under its stored form).
        if (_written.Count >= _options.Capacity)
        {
            _written.Clear();
        }

        _written[stored] = raw;
    }

    private void ReportDrops()
    {
        var dropped = identities.Dropped;
        if (dropped > _droppedReported)
        {
            _droppedReported = dropped;
            LogMessages.IdentitiesDropped(logger, dropped);
        }
    }
}
