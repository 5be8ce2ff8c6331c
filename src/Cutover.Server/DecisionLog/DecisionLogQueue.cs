using System.Threading.Channels;
using Cutover.Core.DecisionLog;
using Cutover.Server.Configuration;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Cutover.Server.DecisionLog;

/// <summary>
/// The bounded queue between requests and the store. A request never waits: when the queue is full the
/// record is dropped and counted (the webhook itself is never dropped). The counters are shown in
/// <c>/admin/status</c> and as metrics.
/// </summary>
internal sealed class DecisionLogQueue
{
    private readonly Channel<DecisionRecord> _channel;
    private long _dropped;
    private long _written;
    private long _failed;

    public DecisionLogQueue(IOptions<CutoverOptions> options, CutoverMetrics metrics)
    {
        Capacity = options.Value.DecisionLog.QueueCapacity;

        // FullMode.Wait makes TryWrite return false when full (DropWrite would report success and drop silently).
        _channel = Channel.CreateBounded<DecisionRecord>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        metrics.Meter.CreateObservableGauge("cutover.decision_log.queue_length", () => (long)_channel.Reader.Count, "{record}",
            "Decisions waiting to be written.");
        metrics.Meter.CreateObservableCounter("cutover.decision_log.dropped", () => Interlocked.Read(ref _dropped), "{record}",
            "Decisions dropped because the queue was full.");
        metrics.Meter.CreateObservableCounter("cutover.decision_log.written", () => Interlocked.Read(ref _written), "{record}",
            "Decisions written to the store.");
        metrics.Meter.CreateObservableCounter("cutover.decision_log.failed", () => Interlocked.Read(ref _failed), "{record}",
            "Decisions the store refused after retries.");
    }

    public int Capacity { get; }

    public ChannelReader<DecisionRecord> Reader => _channel.Reader;

    public DecisionLogCounters Counters => new(
        _channel.Reader.Count, Capacity, Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed));

    public bool TryEnqueue(in DecisionRecord record)
    {
        if (_channel.Writer.TryWrite(record))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Stops accepting records; what is queued can still be read.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    public void CountWritten(int count) => Interlocked.Add(ref _written, count);

    public void CountFailed(int count) => Interlocked.Add(ref _failed, count);
}
