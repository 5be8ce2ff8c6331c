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
using Cutover.Server.Tests.Support;
using Cutover.Store;
using Cutover.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cutover.Server.Tests.DecisionLog;

/// <summary>
/// A failed write is an outage when the store does not answer a ping (keep the batch, retry for as long as it takes) and
/// a refusal when it does (give the batch up after a few attempts, counted failed). On a fake clock: the backoff runs
/// only as the test moves time on.
/// </summary>
public sealed class DecisionLogWriterOutageTests : IAsyncLifetime
{
    private static readonly DecisionRecord Record = new(DateTimeOffset.UnixEpoch, "c", "m", "u", UpdateKind.Message, "jobs",
        ClassificationRule.Keyword, 1, Route.Legacy, "jobs", null, true, 200, 1, null, false);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("cutover-writer-");
    private FaultyStore _store = null!;
    private DecisionLogQueue _queue = null!;
    private StoreAvailability _availability = null!;
    private DecisionLogWriter _writer = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new FaultyStore(StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory.FullName, "c.db")}", _time));
        await _store.MigrateAsync(Cancel);
        var options = Options.Create(new CutoverOptions
        {
            DecisionLog = new DecisionLogOptions { QueueCapacity = 4, BatchSize = 2, FlushInterval = TimeSpan.Zero },
        });
        var metrics = new CutoverMetrics(_services.GetRequiredService<IMeterFactory>());
        _queue = new DecisionLogQueue(options, metrics);
        _availability = new StoreAvailability(metrics, _time, NullLogger<StoreAvailability>.Instance);
        var protection = new UserKeyProtection();
        protection.Initialize(UserKeyHasher.Raw);
        _writer = new DecisionLogWriter(_queue, _store, _store, protection, _availability, options, _time, NullLogger<DecisionLogWriter>.Instance);
        await _writer.StartAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        _store.Down = false;
        _store.RefuseDecisions = false;
        await _writer.StopAsync(CancellationToken.None);
        _writer.Dispose();
        await _store.DisposeAsync();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Write_StoreUnreachable_KeepsTheBatchAndRetriesUntilItIsBack()
    {
        // arrange
        _store.Down = true;

        // act: many backoff rounds of an outage (capped at 3 s each), while records keep coming
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => Tick(_store.DecisionWrites >= 12), TimeSpan.FromSeconds(20), "a dozen attempts");
        for (var i = 0; i < 10; i++)
        {
            _queue.TryEnqueue(Record);
        }

        // assert: nothing counted failed; the queue held its 4 and dropped the rest; degraded meanwhile
        Assert.Equal(0, _queue.Counters.Failed);
        Assert.Equal((4, 6L), (_queue.Counters.Queued, _queue.Counters.Dropped));
        Assert.Contains(_availability.Failures, static f => f.Component == StoreAvailability.DecisionLog);

        // and when the store is back, the kept record and the queued ones are written
        _store.Down = false;
        await Eventually.WaitAsync(() => Tick(_queue.Counters.Written == 5), TimeSpan.FromSeconds(20), "the kept records written");
        Assert.Equal(5, (await _store.QueryDecisionsAsync(new DecisionQuery(100), Cancel)).Count);
        Assert.False(_availability.IsDegraded);
    }

    [Fact]
    public async Task Write_StoreAnswersButRefuses_BatchCountedFailedAfterFourAttempts()
    {
        // arrange
        _store.RefuseDecisions = true;

        // act
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => Tick(_queue.Counters.Failed == 1), TimeSpan.FromSeconds(20), "the batch given up");

        // assert: exactly four attempts, then the writer moved on
        Assert.Equal(4, _store.DecisionWrites);
        Assert.Equal(0, _queue.Counters.Written);
    }

    [Theory]
    [InlineData(10, 778, "disk I/O error")]
    [InlineData(8, 8, "attempt to write a readonly database")]
    [InlineData(13, 13, "database or disk is full")]
    [InlineData(14, 14, "unable to open database file")]
    [InlineData(5, 5, "database is locked")]
    public async Task Write_StoreFileCannotBeWrittenButAnswers_KeepsTheBatchAsInAnOutage(int code, int extended, string text)
    {
        // arrange: the ping reads and succeeds; every write fails as SQLite does when its file or disk refuses
        _store.DecisionWriteFault = new SqliteException($"SQLite Error {code}: '{text}'.", code, extended);

        // act: more attempts than a refusal gets
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => Tick(_store.DecisionWrites >= 8), TimeSpan.FromSeconds(20), "eight attempts");

        // assert: nothing given up; degraded, with the failure named; and written once the file can be written again
        Assert.Equal(0, _queue.Counters.Failed);
        var failure = Assert.Single(_availability.Failures);
        Assert.Equal((StoreAvailability.DecisionLog, $"SqliteException (SQLite code {extended}: {text})"), (failure.Component, failure.Error));
        _store.DecisionWriteFault = null;
        await Eventually.WaitAsync(() => Tick(_queue.Counters.Written == 1), TimeSpan.FromSeconds(20), "the kept record written");
        Assert.False(_availability.IsDegraded);
    }

    [Fact]
    public async Task Write_SqliteRefusesTheBatchItself_CountedFailedAfterFourAttempts()
    {
        // A batch SQLite refuses for what it holds (here too big) would be refused forever: not an outage.
        _store.DecisionWriteFault = new SqliteException("SQLite Error 18: 'string or blob too big'.", 18, 18);

        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => Tick(_queue.Counters.Failed == 1), TimeSpan.FromSeconds(20), "the batch given up");

        Assert.Equal(4, _store.DecisionWrites);
    }

    [Fact]
    public async Task Stop_DuringAnOutage_TheBatchInHandIsWrittenByTheDrain()
    {
        // arrange: the writer holds a record it could not write
        _store.Down = true;
        _queue.TryEnqueue(Record);
        await Eventually.WaitAsync(() => Tick(_store.DecisionWrites >= 2), TimeSpan.FromSeconds(20), "a retry");

        // act: the store is back just as the server stops, before the writer's backoff ran out
        _store.Down = false;
        await _writer.StopAsync(Cancel);

        // assert
        Assert.Equal((1L, 0L), (_queue.Counters.Written, _queue.Counters.Failed));
        Assert.Single(await _store.QueryDecisionsAsync(new DecisionQuery(100), Cancel));
    }

    /// <summary>Moves the fake clock half a second on while <paramref name="done"/> is false, so backoff delays run out.</summary>
    private bool Tick(bool done)
    {
        if (!done)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        return done;
    }
}
