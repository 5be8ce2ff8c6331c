using BenchmarkDotNet.Attributes;
using Cutover.Core.Stats;
using Cutover.Server.Stats;
using Cutover.Store;

namespace Cutover.Benchmarks;

/// <summary>
/// What <c>cutover stats --window 1h</c> and <c>--window 7d</c> cost in the server: <see cref="StatsService.ComputeAsync"/>
/// over a SQLite store holding a week of 10 million decisions (<see cref="StatsData"/>, built once and kept under the
/// temp folder), with a clock fixed at the end of the data. The HTTP round trip and JSON are not included.
/// </summary>
/// <remarks>
/// Target: ≤ 50 ms for each window. The read-only and compute-only cases split the 7-day figure into the SQLite
/// query (hour rows for whole hours, minute rows for the ragged ends) and the merge (<see cref="StatsCalculator"/>).
/// Public and not sealed for BenchmarkDotNet.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class StatsBenchmarks
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private ICutoverStore _store = null!;
    private StatsService _stats = null!;
    private IReadOnlyList<RollupRow> _weekRows = [];
    private DateTimeOffset _weekFrom;

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine("// " + StatsData.EnsureBuilt(Console.Out));
        _store = StoreFactory.Open(StoreFactory.Sqlite, StatsData.ConnectionString, new FixedTime(StatsData.Now));
        _stats = new StatsService(_store, new FixedTime(StatsData.Now));

        var hour = _stats.ReadAsync(StatsData.Now - TimeSpan.FromHours(1), StatsData.Now, CancellationToken.None).GetAwaiter().GetResult();
        _weekRows = _stats.ReadAsync(StatsData.Now - Week, StatsData.Now, CancellationToken.None).GetAwaiter().GetResult();
        _weekFrom = StatsData.Now - Week;
        var week = ComputeWeek().GetAwaiter().GetResult();
        var total = week.Totals.Sum(static t => t.RequestCount);
        Console.WriteLine($"// 1h reads {hour.Count:N0} rollup rows; 7d reads {_weekRows.Count:N0} rows covering {total:N0} decisions");

        // Fail loudly rather than time an empty window.
        if (hour.Count == 0 || total < StatsData.Count * 99 / 100)
        {
            throw new InvalidOperationException($"the stats windows do not land on the data: 7d counts {total:N0} of {StatsData.Count:N0}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "stats 1h: read + compute")]
    public Task<StatsReport> Hour() => _stats.ComputeAsync(TimeSpan.FromHours(1), CancellationToken.None);

    [Benchmark(Description = "stats 7d: read + compute")]
    public Task<StatsReport> Week7() => ComputeWeek();

    [Benchmark(Description = "stats 7d: read rows only")]
    public Task<IReadOnlyList<RollupRow>> Week7Read() => _stats.ReadAsync(StatsData.Now - Week, StatsData.Now, CancellationToken.None);

    [Benchmark(Description = "stats 7d: compute from rows in memory")]
    public StatsReport Week7Compute() => StatsCalculator.Compute(_weekRows, _weekFrom, StatsData.Now);

    private Task<StatsReport> ComputeWeek() => _stats.ComputeAsync(Week, CancellationToken.None);
}
