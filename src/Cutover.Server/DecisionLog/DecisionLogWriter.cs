using Cutover.Core.DecisionLog;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Hosting;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.DecisionLog;

/// <summary>
/// Drains the decision queue into the store in batches: (1) wait for the first record; (2) unless a
/// full batch is already queued, let the batch build up for the flush interval; (3) take what is
/// queued, up to the batch size; (4) hash user keys and message ids and write the batch in one transaction.
/// </summary>
/// <remarks>
/// When a write fails the writer asks the store whether it answers at all (<see cref="IStoreDatabase.PingAsync"/>). A
/// store that does not answer (the database is down, the network is cut) loses nothing: the writer keeps the batch and
/// tries again with backoff capped at <see cref="MaxBackoff"/> for as long as the outage lasts, while new records wait
/// in the bounded queue, whose overflow is dropped and counted as always. A store whose file cannot be written (an I/O
/// error, a full or read-only disk: <see cref="StoreFaults.IsUnavailable"/>) is in an outage too, although it still
/// answers the ping, which only reads. Only a store that answers but refuses the same batch <see cref="MaxAttempts"/>
/// times counts it as failed: retrying a batch it will never take would block the log for good.
/// </remarks>
/// <remarks>
/// A writer at a lower priority keeps up as long as it gets its share of the CPU; on a saturated core that share
/// shrinks with every runnable request thread. So when the backlog passes a quarter of the queue (<see cref="_behind"/>),
/// the writer takes its batches on a second thread at normal priority until the backlog is down to a sixteenth: the
/// queue fills only if the store itself cannot keep up. (Forcing 8 thread-pool workers on one pinned core, the lower
/// priority alone let the backlog stand at 40,000-55,000 of 65,536 at peak; with this, at ~16,000, none dropped.)
/// </remarks>
/// <remarks>
/// Step 2 is there because a transaction is expensive next to a record: on SQLite a commit costs about
/// as much as five records (BenchmarkDotNet: ~43 µs for one record, ~210 µs for 25) and rewrites whole
/// pages into the WAL. Without it the writer wakes for nearly every request under moderate load, and on
/// a small machine those commits compete with the requests for the CPU and the disk.
/// </remarks>
internal sealed class DecisionLogWriter(
    DecisionLogQueue queue,
    IDecisionStore decisions,
    IStoreDatabase database,
    UserKeyProtection protection,
    StoreAvailability availability,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<DecisionLogWriter> logger) : BackgroundService
{
    private const int MaxAttempts = 4;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BehindLogInterval = TimeSpan.FromMinutes(1);
    private readonly int _batchSize = options.Value.DecisionLog.BatchSize;
    private readonly TimeSpan _flushInterval = options.Value.DecisionLog.FlushInterval;
    private readonly WriterThread _thread = new("cutover-decision-log");
    private readonly WriterThread _normalThread = new("cutover-decision-log-behind", niceness: 0);
    private readonly int _behind = Math.Max(options.Value.DecisionLog.BatchSize, queue.Capacity / 4);
    private bool _catchingUp;
    private long? _behindLoggedAt;

    private int CaughtUp => _behind / 4;
    private long _droppedReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DecisionRecord>(_batchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                if (_flushInterval > TimeSpan.Zero && queue.Reader.Count < _batchSize)
                {
                    await Task.Delay(_flushInterval, time, stoppingToken);
                }

                var thread = IsBehind() ? _normalThread : _thread;
                await thread.RunAsync(() =>
                {
                    Fill(batch);
                    return Task.CompletedTask;
                });
                await WriteAsync(batch, stoppingToken, thread);
                ReportDrops();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: take no more records, write the batch in hand (stopping may have cut its retries short) and what
        // is queued, within a bounded time.
        queue.Complete();
        using var drain = new CancellationTokenSource(DrainTimeout);
        try
        {
            while (batch.Count > 0 || queue.Reader.TryPeek(out _))
            {
                // At normal priority: the host's shutdown waits for the drain.
                Fill(batch);
                await WriteAsync(batch, drain.Token, _normalThread);
            }
        }
        catch (OperationCanceledException)
        {
        }

        var counters = queue.Counters;
        LogMessages.DecisionLogStopped(logger, counters.Written, counters.Dropped, counters.Failed + counters.Queued + batch.Count);
    }

    /// <summary>Tops the batch up from the queue; records already in it (a batch not yet written) stay.</summary>
    private void Fill(List<DecisionRecord> batch)
    {
        var hasher = protection.Hasher;
        while (batch.Count < _batchSize && queue.Reader.TryRead(out var record))
        {
            // Message and status ids too: Meta's are base64 that carries the user's phone number.
            batch.Add(hasher.IsHashing
                ? record with { UserKey = hasher.Protect(record.UserKey), MessageId = hasher.ProtectMessageId(record.MessageId) }
                : record);
        }
    }

    /// <summary>
    /// Whether to write at normal priority: from a backlog of <see cref="_behind"/> until it is down to <see cref="CaughtUp"/>
    /// (a gap, so that a writer on the line does not switch at every batch). Logged at most once a minute.
    /// </summary>
    private bool IsBehind()
    {
        var queued = queue.Reader.Count;
        if (!_catchingUp && queued >= _behind)
        {
            _catchingUp = true;
            if (_behindLoggedAt is not { } at || time.GetElapsedTime(at) >= BehindLogInterval)
            {
                _behindLoggedAt = time.GetTimestamp();
                LogMessages.DecisionLogBehind(logger, queued, CaughtUp);
            }
        }
        else if (_catchingUp && queued <= CaughtUp)
        {
            _catchingUp = false;
        }

        return _catchingUp;
    }

    private async Task WriteAsync(List<DecisionRecord> batch, CancellationToken cancellationToken, WriterThread thread)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var refusals = 0;
        var backoff = FirstBackoff;
        while (true)
        {
            try
            {
                await thread.RunAsync(() => decisions.WriteDecisionsAsync(batch, cancellationToken));
                queue.CountWritten(batch.Count);
                availability.Succeeded(StoreAvailability.DecisionLog);
                batch.Clear();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                availability.Failed(StoreAvailability.DecisionLog, ex);
                if (!StoreFaults.IsUnavailable(ex) && await StoreAnswersAsync(cancellationToken))
                {
                    refusals++;
                    LogMessages.DecisionWriteFailed(logger, batch.Count, refusals, ex);
                    if (refusals == MaxAttempts)
                    {
                        queue.CountFailed(batch.Count);
                        LogMessages.DecisionsLost(logger, batch.Count);
                        batch.Clear();
                        return;
                    }
                }

                // An outage can last: say what the full queue drops meanwhile, not only once it is over.
                ReportDrops();
                await Task.Delay(backoff, time, cancellationToken);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
        }
    }

    /// <summary>Whether the store answers a ping within <see cref="PingTimeout"/>: if not, a failed write is an outage, not a refusal.</summary>
    private async Task<bool> StoreAnswersAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await database.PingAsync(timeout.Token);
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _thread.Dispose();
        _normalThread.Dispose();
        base.Dispose();
    }

    private void ReportDrops()
    {
        var dropped = queue.Counters.Dropped;
        if (dropped > _droppedReported)
        {
            _droppedReported = dropped;
            LogMessages.DecisionsDropped(logger, dropped);
        }
    }
}
