using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cutover.Core.Classification;
using Cutover.Core.Privacy;
using Cutover.Server.Cluster;
using Cutover.Server.Configuration;
using Cutover.Server.Routing;
using Cutover.Server.Telemetry;
using Microsoft.Extensions.Options;

namespace Cutover.Benchmarks;

/// <summary>
/// What sharing conversation memory between instances (<c>Memory:Share</c>) adds on the request path: a remember also
/// queues the sighting for the sync (a bounded channel write), and a recall that misses locally hashes the user key
/// once to look at other instances' entries. The local memory alone is the baseline.
/// </summary>
/// <remarks>
/// The queue is drained in the iteration setup so every remember measures a write into a queue with room, as when
/// the sync keeps up; each round is a second later, so no remember is skipped as a repeat. Public and not sealed for BenchmarkDotNet.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class SharedMemoryBenchmarks
{
    private const int Users = 1_000;
    private readonly string[] _users = [.. Enumerable.Range(0, Users).Select(static i => "2507" + (10_000_000 + i).ToString(CultureInfo.InvariantCulture))];
    private ConversationMemory _local = null!;
    private SharedConversationMemory _shared = null!;
    private SharedConversationMemory _sharedWithRemote = null!;
    private MeterFactory _meters = null!;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        var protection = new UserKeyProtection();
        protection.Initialize(UserKeyHasher.Keyed(Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef")));
        var options = Options.Create(new CutoverOptions());
        _meters = new MeterFactory();
        _local = new ConversationMemory(200_000, TimeSpan.FromMinutes(30));
        _shared = new SharedConversationMemory(new ConversationMemory(200_000, TimeSpan.FromMinutes(30)), protection, options,
            new CutoverMetrics(_meters));
        _sharedWithRemote = new SharedConversationMemory(new ConversationMemory(200_000, TimeSpan.FromMinutes(30)), protection, options,
            new CutoverMetrics(_meters));
        _sharedWithRemote.Remote.RememberIfNewer("someone-elses-protected-key", "jobs", BenchRouting.Now);
    }

    [GlobalCleanup]
    public void Cleanup() => _meters.Dispose();

    [IterationSetup]
    public void Drain()
    {
        while (_shared.Outbox.TryRead(out _))
        {
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Users)]
    public void Remember_Local()
    {
        var now = NextSecond();
        foreach (var user in _users)
        {
            _local.Remember(user, "jobs", now);
        }
    }

    [Benchmark(OperationsPerInvoke = Users)]
    public void Remember_Shared()
    {
        var now = NextSecond();
        foreach (var user in _users)
        {
            _shared.Remember(user, "jobs", now);
        }
    }

    /// <summary>A recall that misses locally while other instances' entries are held: one hash per miss.</summary>
    [Benchmark(OperationsPerInvoke = Users)]
    public int RecallMiss_SharedWithRemoteEntries()
    {
        var hits = 0;
        foreach (var user in _users)
        {
            hits += _sharedWithRemote.TryRecall(user, BenchRouting.Now, out _) ? 1 : 0;
        }

        return hits;
    }

    /// <summary>A later time each round, so no remember is skipped as a repeat within the same second.</summary>
    private DateTimeOffset NextSecond() => BenchRouting.Now.AddSeconds(++_round);

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
