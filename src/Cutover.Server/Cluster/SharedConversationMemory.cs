using System.Threading.Channels;
using Cutover.Core.Classification;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Cluster;

/// <summary>
/// The conversation memory when instances share it (<c>Memory:Share</c>): this instance's own
/// <see cref="ConversationMemory"/> in front, plus what <see cref="ConversationSync"/> brings from other instances. The
/// request path never touches the store: <see cref="Remember"/> queues the sighting for the sync (bounded; a full queue
/// drops it, counted, and never blocks; a repeat within a second that the local memory ignores is not queued either), and <see cref="TryRecall"/> looks at the local memory first and, only on a
/// miss, at the entries of other instances, which are kept under the protected key (one hash, only then).
/// </summary>
internal sealed class SharedConversationMemory : IConversationMemory
{
    private readonly ConversationMemory _local;
    private readonly UserKeyProtection _protection;
    private readonly Channel<Sighting> _outbox;
    private long _dropped;

    public SharedConversationMemory(
        ConversationMemory local, UserKeyProtection protection, IOptions<CutoverOptions> options, CutoverMetrics metrics)
    {
        var memory = options.Value.Memory;
        _local = local;
        _protection = protection;
        Remote = new ConversationMemory(memory.Capacity, memory.Ttl);
        QueueCapacity = memory.ShareQueueCapacity;

        // Wait makes TryWrite say false when full, so the drop is counted (DropWrite would drop silently).
        _outbox = Channel.CreateBounded<Sighting>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        metrics.Meter.CreateObservableGauge("cutover.memory.share_queue_length", () => (long)_outbox.Reader.Count, "{entry}",
            "Remembered conversations waiting to be shared through the store.");
        metrics.Meter.CreateObservableCounter("cutover.memory.share_dropped", () => Interlocked.Read(ref _dropped), "{entry}",
            "Remembered conversations not shared because the queue was full.");
    }

    /// <summary>This instance's memory, keyed by the raw user key.</summary>
    public ConversationMemory Local => _local;

    /// <summary>Other instances' entries for users this instance has not seen, keyed by the protected user key.</summary>
    public ConversationMemory Remote { get; }

    public int QueueCapacity { get; }

    /// <summary>Sightings waiting to be written to the store.</summary>
    public int Queued => _outbox.Reader.Count;

    /// <summary>Sightings not shared because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ChannelReader<Sighting> Outbox => _outbox.Reader;

    /// <summary>Counts sightings the sync had to give up (the store away for a queue's worth of users).</summary>
    public void CountDropped(long count) => Interlocked.Add(ref _dropped, count);

    public bool TryRecall(string userKey, DateTimeOffset now, out string domain)
    {
        if (_local.TryRecall(userKey, now, out domain))
        {
            return true;
        }

        if (Remote.Count == 0 || !Remote.TryRecall(_protection.Protect(userKey), now, out domain, out var seenAt))
        {
            return false;
        }

        // Known from now on under the raw key, so the next message of this user costs no hash.
        _local.RememberIfNewer(userKey, domain, seenAt);
        return true;
    }

    public void Remember(string userKey, string domain, DateTimeOffset now)
    {
        // Nothing new to share when the local memory already said this a moment ago (a user sending a burst).
        if (_local.TryRemember(userKey, domain, now))
        {
            Share(new Sighting(userKey, domain, now, null));
        }
    }

    public bool TryRecallInbound(string userKey, DateTimeOffset now, TimeSpan window, out InboundRoute inbound)
    {
        if (_local.TryRecallInbound(userKey, now, window, out inbound))
        {
            return true;
        }

        if (Remote.Count == 0 || !Remote.TryRecallInbound(_protection.Protect(userKey), now, window, out inbound))
        {
            return false;
        }

        _local.RememberInboundIfNewer(userKey, inbound);
        return true;
    }

    public void RememberInbound(string userKey, string? domain, InboundRoute inbound)
    {
        if (_local.TryRememberInbound(userKey, domain, inbound))
        {
            Share(new Sighting(userKey, domain, inbound.At, inbound));
        }
    }

    private void Share(Sighting sighting)
    {
        if (!_outbox.Writer.TryWrite(sighting))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// A user seen by this instance, with the raw key (it is protected by the sync, off the request path): in a domain
    /// (null when no rule found one), and where their inbound message went (null for a domain learned otherwise).
    /// </summary>
    internal readonly record struct Sighting(string UserKey, string? Domain, DateTimeOffset SeenAt, InboundRoute? Inbound);
}
