using System.Diagnostics.Metrics;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.DecisionLog;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.DecisionLog;

public sealed class DecisionLogWriterTests : IAsyncDisposable
{
    private const string WriterThreadName = "cutover-decision-log";
    private const string BehindThreadName = "cutover-decision-log-behind";

    private static readonly DecisionRecord Record = new(DateTimeOffset.UnixEpoch, "c", "m", "u", UpdateKind.Message, "jobs",
        ClassificationRule.Keyword, 1, Route.Legacy, "jobs", null, true, 200, 1, null, false);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TimerSignallingTimeProvider _time = new();
    private readonly BatchRecordingStore _store = new();
    private DecisionLogQueue _queue = null!;
    private DecisionLogWriter _writer = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_FewRecords_WaitForTheFlushIntervalThenOneBatch()
    {
        // arrange
        await StartAsync(batchSize: 100, flushInterval: TimeSpan.FromMilliseconds(50));

        // act: the first record starts the flush interval; two more arrive within it
        _queue.TryEnqueue(Record);
        Assert.True(await _time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10), Cancel), "the writer never started the flush interval");
        _queue.TryEnqueue(Record);
        _queue.TryEnqueue(Record);
        var writtenBeforeTheInterval = _store.Batches.Count;
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.WaitAsync(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(10), "one batch written");

        // The writer counts a batch once the store's write has returned, a moment after the store has it.
        await Eventually.WaitAsync(() => _queue.Counters.Written > 0, TimeSpan.FromSeconds(10), "the batch counted");

        // assert
        Assert.Equal(0, writtenBeforeTheInterval);
        Assert.Equal([3], _store.Batches);
        Assert.Equal(3, _queue.Counters.Written);
    }

    [Fact]
    public async Task ExecuteAsync_FullBatchQueued_WrittenWithoutWaiting()
    {
        // arrange
        await StartAsync(batchSize: 2, flushInterval: TimeSpan.FromMinutes(1), start: false);
        _queue.TryEnqueue(Record);
        _queue.TryEnqueue(Record);

        // act: the clock never moves, so only a write that does not wait can happen
        await _writer.StartAsync(Cancel);
        await Eventually.WaitAsync(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(10), "the full batch written");

        // assert
        Assert.Equal([2], _store.Batches);
    }

    [Fact]
    public async Task ExecuteAsync_FlushIntervalZero_WritesWithoutATimer()
    {
        // arrange
        await StartAsync(batchSize: 100, flushInterval: TimeSpan.Zero);

        // act
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(10), "the record written");

        // assert
        Assert.Equal([1], _store.Batches);
        Assert.Equal(0, _time.TimersCreated);
    }

    [Fact]
    public async Task StopAsync_RecordsWaitingForTheInterval_AreDrained()
    {
        // arrange
        await StartAsync(batchSize: 100, flushInterval: TimeSpan.FromMinutes(1));
        _queue.TryEnqueue(Record);
        Assert.True(await _time.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10), Cancel), "the writer never started the flush interval");

        // act
        await _writer.StopAsync(Cancel);

        // assert
        Assert.Equal([1], _store.Batches);
    }

    [Fact]
    public async Task ExecuteAsync_BacklogPastAQuarterOfTheQueue_WrittenAtNormalPriorityUntilCaughtUp()
    {
        // arrange: a queue of 1000 is behind from 250 queued until 62 are; 300 wait when the writer starts, 100 a batch
        await StartAsync(batchSize: 100, flushInterval: TimeSpan.Zero, start: false);
        for (var i = 0; i < 300; i++)
        {
            _queue.TryEnqueue(Record);
        }

        // act: the backlog is written, then one more record comes
        await _writer.StartAsync(Cancel);
        await Eventually.WaitAsync(() => _store.Batches.Count == 3, TimeSpan.FromSeconds(10), "three batches written");
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => _store.Batches.Count == 4, TimeSpan.FromSeconds(10), "the last record written");

        // assert: the three batches of the backlog (300, 200, then 100 queued: still above 62) on the thread at normal
        // priority; the record that came after it on the lower-priority one
        Assert.Equal([100, 100, 100, 1], _store.Batches);
        Assert.Equal([BehindThreadName, BehindThreadName, BehindThreadName, WriterThreadName], _store.Threads);
    }

    [Fact]
    public async Task ExecuteAsync_SmallBacklog_WrittenOnTheWriterThread()
    {
        // arrange
        await StartAsync(batchSize: 100, flushInterval: TimeSpan.Zero);

        // act
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => _store.Batches.Count == 1, TimeSpan.FromSeconds(10), "the record written");

        // assert
        Assert.Equal([WriterThreadName], _store.Threads);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.StopAsync(CancellationToken.None);
            _writer.Dispose();
        }

        await _services.DisposeAsync();
    }

    private async Task StartAsync(int batchSize, TimeSpan flushInterval, bool start = true)
    {
        var options = Options.Create(new CutoverOptions
        {
            DecisionLog = new DecisionLogOptions { QueueCapacity = 1000, BatchSize = batchSize, FlushInterval = flushInterval },
        });
        var metrics = new CutoverMetrics(_services.GetRequiredService<IMeterFactory>());
        _queue = new DecisionLogQueue(options, metrics);
        var protection = new UserKeyProtection();
        protection.Initialize(UserKeyHasher.Raw);
        _writer = new DecisionLogWriter(_queue, _store, _store, protection, new StoreAvailability(metrics, _time, NullLogger<StoreAvailability>.Instance),
            options, _time, NullLogger<DecisionLogWriter>.Instance);
        if (start)
        {
            await _writer.StartAsync(Cancel);
        }
    }

    /// <summary>A fake clock that says when the writer starts waiting, so a test knows the interval has begun.</summary>
    private sealed class TimerSignallingTimeProvider : FakeTimeProvider
    {
        private int _timersCreated;

        public SemaphoreSlim TimerCreated { get; } = new(0);

        public int TimersCreated => Volatile.Read(ref _timersCreated);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timersCreated);
            TimerCreated.Release();
            return timer;
        }
    }

    /// <summary>Records the size of each batch written; the writer uses nothing else of the store but its ping.</summary>
    private sealed class BatchRecordingStore : IDecisionStore, IStoreDatabase
    {
        private readonly List<int> _batches = [];
        private readonly List<string?> _threads = [];

        /// <summary>The name of the thread each batch was written on.</summary>
        public IReadOnlyList<string?> Threads
        {
            get
            {
                lock (_batches)
                {
                    return [.. _threads];
                }
            }
        }

        public IReadOnlyList<int> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public string Provider => "fake";

        public string Location => "memory";

        public string? FilePath => null;

        public Task WriteDecisionsAsync(IReadOnlyList<DecisionRecord> batch, CancellationToken cancellationToken)
        {
            lock (_batches)
            {
                _batches.Add(batch.Count);
                _threads.Add(Thread.CurrentThread.Name);
            }

            return Task.CompletedTask;
        }

        public Task<int> MigrateAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PingAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<DecisionRecord>> QueryDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<DecisionPage> ReadDecisionsAsync(DecisionQuery query, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<PurgeResult> PurgeAsync(DateTimeOffset decisionsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
