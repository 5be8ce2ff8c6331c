using System.Globalization;
using BenchmarkDotNet.Attributes;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Benchmarks;

/// <summary>
/// What queued delivery's group commit costs in the store: <see cref="IDeliveryStore.AcceptAsync"/> of one group of
/// single-update webhooks (each a new message of its own person, the wrk body), durable when it returns. SQLite is a
/// temporary file on disk, synchronous = FULL for the commit, as <c>cutover serve</c> runs; PostgreSQL is a throwaway
/// cluster (<see cref="PostgresCluster"/>, as <c>--ingest</c> and the tests start it: fsync off, so its figures are
/// round trips and CPU, not a disk flush).
/// </summary>
/// <remarks>
/// Every call accepts new keys (a duplicate would store nothing), so the tables grow through the run as in production
/// between purges. Building the group's records is inside the measured call: microseconds against a commit. Divide by
/// the group size for the cost of one webhook. Without PostgreSQL binaries the postgres cases fail in their setup,
/// saying why, and the sqlite ones still run. Public and not sealed for BenchmarkDotNet.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class DeliveryAcceptBenchmarks
{
    private readonly byte[] _body = Payloads.OneMessage();
    private readonly string _run = Guid.NewGuid().ToString("N");
    private DirectoryInfo? _directory;
    private PostgresCluster? _cluster;
    private ICutoverStore _store = null!;
    private long _sent;

    /// <summary>Webhooks per group: one (a request alone), and what the group commit gathers under load.</summary>
    [Params(1, 16, 64)]
    public int Group { get; set; }

    [Params(StoreFactory.Sqlite, StoreFactory.Postgres)]
    public string Store { get; set; } = StoreFactory.Sqlite;

    [GlobalSetup]
    public void Setup()
    {
        string connectionString;
        if (Store == StoreFactory.Postgres)
        {
            if (PostgresCluster.Unavailable() is { } problem)
            {
                Console.WriteLine($"// postgres skipped: {problem}");
                throw new InvalidOperationException($"postgres skipped: {problem}");
            }

            _cluster = PostgresCluster.StartNewAsync(CancellationToken.None).GetAwaiter().GetResult();
            connectionString = _cluster.CreateDatabaseAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("cutover-accept-");
            connectionString = $"Data Source={Path.Combine(_directory.FullName, "cutover.db")}";
        }

        _store = StoreFactory.Open(Store, connectionString, TimeProvider.System);
        _store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();

        // Each webhook stored, each update queued: a group of new updates, as the benchmark means to measure.
        var results = Accept().GetAwaiter().GetResult();
        if (results.Count != Group || results.Any(static r => r.InboxId == 0 || r.Accepted != 1))
        {
            throw new InvalidOperationException("a group of new webhooks was not accepted as one inbox row and one update each");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _directory.Delete(recursive: true);
        }
    }

    [Benchmark(Description = "accept one group")]
    public Task<IReadOnlyList<AcceptResult>> Accept()
    {
        var group = new InboxWebhook[Group];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < group.Length; i++)
        {
            var n = (++_sent).ToString(CultureInfo.InvariantCulture);
            group[i] = new InboxWebhook(now, n, _body, "sha256=0123456789abcdef", [new InboxUpdate(0, $"{_run}:{n}", $"person:{n}")], null);
        }

        return _store.AcceptAsync(group, CancellationToken.None);
    }
}
