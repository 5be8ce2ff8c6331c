using Cutover.Core.Decisions;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cutover.Server.DecisionLog;

/// <summary>
/// Drains the decision queue into the store in batches: (1) wait for the first record; (2) take what
/// else is queued, up to the batch size; (3) hash user keys and write the batch in one transaction.
/// While a batch is being written the next one builds up, so the batch size follows the load without
/// a timer. A failed write is retried with backoff; after that the batch is counted as failed.
/// </summary>
internal sealed class DecisionLogWriter(
    DecisionLogQueue queue,
    ICutoverStore store,
    UserKeyProtection protection,
    IOptions<CutoverOptions> options,
    TimeProvider time,
    ILogger<DecisionLogWriter> logger) : BackgroundService
{
    private const int MaxAttempts = 4;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private readonly int _batchSize = options.Value.DecisionLog.BatchSize;
    private long _droppedReported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DecisionRecord>(_batchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Fill(batch);
                await WriteAsync(batch, stoppingToken);
                ReportDrops();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: take no more records, write what is queued within a bounded time.
        queue.Complete();
        using var drain = new CancellationTokenSource(DrainTimeout);
        try
        {
            while (queue.Reader.TryPeek(out _))
            {
                Fill(batch);
                await WriteAsync(batch, drain.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        var counters = queue.Counters;
        LogMessages.DecisionLogStopped(logger, counters.Written, counters.Dropped, counters.Failed + counters.Queued);
    }

    private void Fill(List<DecisionRecord> batch)
    {
        batch.Clear();
        var hasher = protection.Hasher;
        while (batch.Count < _batchSize && queue.Reader.TryRead(out var record))
        {
            batch.Add(hasher.IsHashing && record.UserKey is not null ? record with { UserKey = hasher.Protect(record.UserKey) } : record);
        }
    }

    private async Task WriteAsync(List<DecisionRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.WriteDecisionsAsync(batch, cancellationToken);
                queue.CountWritten(batch.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMessages.DecisionWriteFailed(logger, batch.Count, attempt, ex);
                if (attempt == MaxAttempts)
                {
                    queue.CountFailed(batch.Count);
                    LogMessages.DecisionsLost(logger, batch.Count);
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), time, cancellationToken);
            }
        }
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
