using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;

namespace Cutover.Benchmarks;

/// <summary>
/// What the decision log costs once a request has queued its records: the writer inserts a batch into
/// the store in one transaction (hashing the user keys before that is measured in
/// <see cref="HotPathBenchmarks"/>). The SQLite store is a temporary file, as <c>cutover serve</c> uses.
/// </summary>
/// <remarks>
/// A batch of 25 is about what the writer takes at a time under wrk's load (it writes what has queued
/// while the previous batch was written); 1000 is the largest batch (<c>DecisionLog:BatchSize</c>).
/// Divide by the batch size for the cost of one record. Public and not sealed for BenchmarkDotNet.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class DecisionLogBenchmarks
{
    private readonly UserKeyHasher _hasher = UserKeyHasher.Keyed(Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef"));
    private string _directory = string.Empty;
    private ICutoverStore _store = null!;
    private ICutoverStore _beforeStore = null!;
    private DecisionLogBefore _before = null!;
    private DecisionRecord[] _records = [];

    [Params(1, 25, 1000)]
    public int BatchSize { get; set; }

    /// <summary>
    /// Distinct users in the batch: many as in production (1, as in the wrk run, measured the same since migration 2
    /// dropped the index on user keys).
    /// </summary>
    [Params(100_000)]
    public int Users { get; set; }

    /// <summary>Where the file is: the disk (as <c>cutover serve</c> runs) or tmpfs (SQLite's CPU alone, no I/O).</summary>
    [Params("disk", "tmpfs")]
    public string On { get; set; } = "disk";

    [GlobalSetup]
    public void Setup()
    {
        _directory = On == "tmpfs"
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", "cutover-bench-" + Guid.NewGuid().ToString("N"))).FullName
            : Directory.CreateTempSubdirectory("cutover-bench-").FullName;
        _store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory, "cutover.db")}", TimeProvider.System);
        _store.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();

        // The baseline writes into its own file of the same schema.
        var before = $"Data Source={Path.Combine(_directory, "before.db")};Pooling=True";
        _beforeStore = StoreFactory.Open(StoreFactory.Sqlite, before, TimeProvider.System);
        _beforeStore.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        _before = new DecisionLogBefore(before);

        // Records like the ones the wrk run produces: one message each, hashed user keys, a correlation id per request.
        _records = new DecisionRecord[BatchSize];
        for (var i = 0; i < _records.Length; i++)
        {
            var user = "2507" + (10_000_000 + (i * 7919 % Users)).ToString(CultureInfo.InvariantCulture);
            _records[i] = new DecisionRecord(
                BenchRouting.Now, Guid.CreateVersion7(BenchRouting.Now).ToString("N"),
                "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", _hasher.Protect(user), UpdateKind.Message,
                "marketplace", ClassificationRule.Keyword, i % 10_000, Route.Legacy, "marketplace", "marketplace", true, 200, 0.42, null,
                false);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _beforeStore.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "before: connection and commands per batch (8236781)")]
    public Task WriteBatchBefore() => _before.WriteDecisionsAsync(_records, CancellationToken.None);

    [Benchmark(Description = "store: write one batch")]
    public Task WriteBatch() => _store.WriteDecisionsAsync(_records, CancellationToken.None);
}
