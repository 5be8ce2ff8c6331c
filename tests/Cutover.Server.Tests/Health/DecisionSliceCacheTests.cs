using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Health;
using Cutover.Core.Routing;
using Cutover.Core.Stats;
using Cutover.Core.Webhooks;
using Cutover.Server.Health;
using Cutover.Store;

namespace Cutover.Server.Tests.Health;

/// <summary>
/// The change window's counts kept between looks, against a real SQLite decision log: whatever the reads, they must
/// equal one scan of the whole window, while each read after the first scans only the last seconds.
/// </summary>
public sealed class DecisionSliceCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(2);

    /// <summary><c>DecisionLog:FlushInterval</c>'s default.</summary>
    private static readonly TimeSpan Flush = TimeSpan.FromMilliseconds(50);

    /// <summary>The fast look's interval.</summary>
    private static readonly TimeSpan Look = TimeSpan.FromSeconds(2);

    /// <summary>A change 2.3 s into a slice, as changes are.</summary>
    private static readonly DateTimeOffset Change = new(2026, 12, 8, 9, 0, 2, 300, TimeSpan.Zero);

    private DirectoryInfo _directory = null!;
    private ICutoverStore _store = null!;
    private RecordingStats _stats = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("cutover-slices-");
        _store = StoreFactory.Open(StoreFactory.Sqlite, $"Data Source={Path.Combine(_directory.FullName, "cutover.db")}", TimeProvider.System);
        await _store.MigrateAsync(Cancel);
        _stats = new RecordingStats(_store);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task CountAsync_ReadEveryTwoSecondsForFiveMinutesAfterAChange_EqualsOneScanOfTheWindowAndScansOnlyTheLastSeconds()
    {
        // arrange: 5 min of decisions from a minute before the change, every 97 ms, on both routes of two domains, some
        // failing and some slow; the reads below see the log as the writer had stored it by then
        await WriteTrafficAsync(Change.AddMinutes(-1), Change.AddMinutes(4));
        var cache = new DecisionSliceCache(_stats, Slice, Flush, warnMs: 2_000, criticalMs: 3_000);

        // act + assert: the fast look's reads, the window from the change until the cap slides it
        for (var now = Change.AddSeconds(2); now <= Change.AddMinutes(4); now += Look)
        {
            var from = ChangeWindow.StartOf(Change, now, Cap, Slice);
            _stats.Scanned.Clear();

            var counted = await cache.CountAsync(from, now, Cancel);

            var scan = await _store.CountDecisionsAsync(from, now, Slice, 2_000, 3_000, Cancel);
            Assert.Equal(Sorted(scan), Sorted(counted));
            var (scannedFrom, scannedTo) = Assert.Single(_stats.Scanned);
            Assert.Equal(now, scannedTo);
            if (now >= Change.AddSeconds(20))
            {
                // the settled slices are kept: what was not settled at the last look is read again, no more
                Assert.True(scannedTo - scannedFrom <= Flush + DecisionSliceCache.SettleMargin + Slice + Look,
                    $"at {now:HH:mm:ss.fff} scanned {scannedFrom:HH:mm:ss.fff}-{scannedTo:HH:mm:ss.fff}");
            }
        }
    }

    [Fact]
    public async Task CountAsync_ANewChange_CountsFromIt()
    {
        // arrange: a minute of traffic read from a change, then a second change 30 s later
        await WriteTrafficAsync(Change, Change.AddMinutes(1));
        var cache = new DecisionSliceCache(_stats, Slice, Flush, warnMs: 2_000, criticalMs: 3_000);
        for (var now = Change.AddSeconds(2); now <= Change.AddSeconds(40); now += TimeSpan.FromSeconds(2))
        {
            _ = await cache.CountAsync(Change, now, Cancel);
        }

        var second = Change.AddMilliseconds(31_700);
        var at = Change.AddSeconds(45);

        // act
        var counted = await cache.CountAsync(second, at, Cancel);

        // assert: none of the first change's seconds
        Assert.Equal(Sorted(await _store.CountDecisionsAsync(second, at, Slice, 2_000, 3_000, Cancel)), Sorted(counted));
        Assert.Equal(second, _stats.Scanned[^1].From);
    }

    [Fact]
    public async Task CountAsync_ADecisionStoredAfterItsSliceSettled_OnlyTheChangeWindowMissesIt()
    {
        // arrange: what the cache keeps once the slices settled
        await WriteTrafficAsync(Change, Change.AddSeconds(30));
        var cache = new DecisionSliceCache(_stats, Slice, Flush, warnMs: 2_000, criticalMs: 3_000);
        var now = Change.AddSeconds(30);
        var before = Sum(await cache.CountAsync(Change, now, Cancel));

        // act: a writer that was behind stores a decision from 20 s ago, long settled (after 2.05 s)
        await _store.WriteDecisionsAsync([Decision(Change.AddSeconds(10), "jobs", Route.Unified, success: false, latencyMs: 10)], Cancel);
        var after = Sum(await cache.CountAsync(Change, now.AddSeconds(2), Cancel));

        // assert: the documented trade (docs/health-statistics.md): the kept slice is not read again
        Assert.Equal(before.Requests, after.Requests);
        Assert.Equal(before.Requests + 1, Sum(await _store.CountDecisionsAsync(Change, now.AddSeconds(2), Slice, 2_000, 3_000, Cancel)).Requests);
    }

    private async Task WriteTrafficAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var random = new Random(25);
        string[] domains = ["jobs", "property"];
        var batch = new List<DecisionRecord>();
        for (var at = from; at < to; at += TimeSpan.FromMilliseconds(97))
        {
            var route = random.Next(10) == 0 ? Route.Unified : Route.Legacy;
            batch.Add(Decision(at, domains[random.Next(2)], route, success: random.Next(50) != 0, latencyMs: random.Next(20) == 0 ? 2_500 + random.Next(1_000) : 80));
        }

        await _store.WriteDecisionsAsync(batch, Cancel);
    }

    private static DecisionRecord Decision(DateTimeOffset at, string domain, Route route, bool success, double latencyMs) =>
        new(at, $"c{at.ToUnixTimeMilliseconds()}", null, "u", UpdateKind.Message, domain, ClassificationRule.Keyword, 5, route,
            route == Route.Unified ? "unified" : domain, null, success, success ? 200 : 502, latencyMs, success ? null : "502", false);

    private static List<DecisionSlice> Sorted(IEnumerable<DecisionSlice> slices) =>
        [.. slices.OrderBy(static s => s.StartMs).ThenBy(static s => s.Domain, StringComparer.Ordinal).ThenBy(static s => s.Route)];

    private static DecisionSlice Sum(IEnumerable<DecisionSlice> slices) =>
        slices.Aggregate(new DecisionSlice(0, "", Route.Unified, 0, 0, 0, 0),
            static (a, s) => a with { Requests = a.Requests + s.Requests, Errors = a.Errors + s.Errors });

    /// <summary>The store, with the range of every decision count asked of it.</summary>
    private sealed class RecordingStats(IStatsStore inner) : IStatsStore
    {
        public List<(DateTimeOffset From, DateTimeOffset To)> Scanned { get; } = [];

        public Task<IReadOnlyList<DecisionSlice>> CountDecisionsAsync(
            DateTimeOffset from, DateTimeOffset to, TimeSpan slice, double warnMs, double criticalMs, CancellationToken cancellationToken)
        {
            Scanned.Add((from, to));
            return inner.CountDecisionsAsync(from, to, slice, warnMs, criticalMs, cancellationToken);
        }

        public Task<IReadOnlyList<RollupRow>> ReadRollupsAsync(TimeSpan resolution, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            inner.ReadRollupsAsync(resolution, from, to, cancellationToken);

        public Task<IReadOnlyList<UserActivity>> ReadUserActivityAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            inner.ReadUserActivityAsync(from, to, cancellationToken);

        public Task<IReadOnlyList<DomainUsers>> CountUsersAsync(
            DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string> excludedUserKeys, CancellationToken cancellationToken) =>
            inner.CountUsersAsync(from, to, excludedUserKeys, cancellationToken);
    }
}
