using System.Threading.Channels;
using Cutover.Core.Identity;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Cutover.Server.Cluster;

/// <summary>
/// The deployment's <see cref="IdentityMap"/> and the queue of what it learns. The request path only reads the map and,
/// when an update teaches something (a new person, a new link), queues the link (bounded; a full queue drops it,
/// counted, and never blocks); <see cref="IdentitySync"/> protects the identifiers and stores them behind the request.
/// </summary>
internal sealed class SharedIdentities
{
    private readonly Channel<IdentityLink> _outbox;
    private long _dropped;

    public SharedIdentities(UserKeyProtection protection, IOptions<CutoverOptions> options, CutoverMetrics metrics)
    {
        var memory = options.Value.Memory;
        QueueCapacity = memory.ShareQueueCapacity;
        _outbox = Channel.CreateBounded<IdentityLink>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        // The protection is looked up only on a local miss when entries from the store are held, which is after start-up
        // set it; with raw keys it returns the identifier as it is.
        Map = new IdentityMap(memory.Capacity, protection.Protect, Queue);

        metrics.Meter.CreateObservableGauge("cutover.identity.held", () => (long)Map.Count, "{identifier}",
            "Identifiers of persons held in memory by this instance.");
        metrics.Meter.CreateObservableCounter("cutover.identity.dropped", () => Interlocked.Read(ref _dropped), "{identifier}",
            "Identifiers learned but not stored because the queue was full.");
    }

    public IdentityMap Map { get; }

    public int QueueCapacity { get; }

    public ChannelReader<IdentityLink> Outbox => _outbox.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountDropped(long count) => Interlocked.Add(ref _dropped, count);

    private void Queue(IdentityLink link)
    {
        if (!_outbox.Writer.TryWrite(link))
        {
            Interlocked.Increment(ref _dropped);
        }
    }
}
