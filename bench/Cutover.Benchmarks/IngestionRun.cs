using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Benchmarks;

/// <summary>
/// Sustained decision log ingestion, store by store, in one run: one writer (as <c>cutover serve</c> has) sends batches
/// of <c>DecisionLog:BatchSize</c> records as fast as the store takes them for a fixed time, and the records per second
/// of every second are reported with their median. SQLite is a temporary file; PostgreSQL a throwaway cluster started
/// here (initdb + pg_ctl, as the tests do) unless a connection string is given.
/// </summary>
/// <remarks>
/// Not a BenchmarkDotNet case: what matters is a rate held over many seconds (WAL checkpoints, autovacuum, index
/// growth), not the cost of one call. Records look like production's: hashed keys of 100,000 users, every domain and
/// both routes, latencies spread over three decades, one in fifty an error, one handler per route, so the rollups
/// (two resolutions × domain × route × handler) are as many as in a real minute.
/// </remarks>
internal static class IngestionRun
{
    private static readonly string[] Domains = ["jobs", "marketplace", "property", "mobility", "profile", "insurance", "default"];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var seconds = IntOption(args, "--seconds", 20);
        var batch = IntOption(args, "--batch", 1000);
        var providers = Option(args, "--providers")?.Split(',') ?? [StoreFactory.Sqlite, StoreFactory.Postgres];
        var connection = Option(args, "--postgres");

        output.WriteLine($"# decision log ingestion: one writer, batches of {batch}, {seconds} s per store ({Environment.ProcessorCount} cores)");
        output.WriteLine("| store | records | records/s (whole run) | median records/s of 1-s windows | slowest 1-s window | median batch ms |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var provider in providers)
        {
            PostgresCluster? cluster = null;
            var directory = Directory.CreateTempSubdirectory("cutover-ingest-");
            try
            {
                string connectionString;
                if (provider == StoreFactory.Postgres)
                {
                    if (connection is null)
                    {
                        if (PostgresCluster.Unavailable() is { } problem)
                        {
                            output.WriteLine($"| postgres | skipped: {problem} | | | | |");
                            continue;
                        }

                        cluster = await PostgresCluster.StartNewAsync(CancellationToken.None);
                        connection = await cluster.CreateDatabaseAsync(CancellationToken.None);
                    }

                    connectionString = connection;
                }
                else
                {
                    connectionString = $"Data Source={Path.Combine(directory.FullName, "cutover.db")}";
                }

                await using var store = StoreFactory.Open(provider, connectionString, TimeProvider.System);
                await store.MigrateAsync(CancellationToken.None);
                output.WriteLine(await MeasureAsync(store, batch, TimeSpan.FromSeconds(seconds)));
            }
            finally
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync();
                    connection = null;
                }

                directory.Delete(recursive: true);
            }
        }

        return 0;
    }

    private static async Task<string> MeasureAsync(ICutoverStore store, int batchSize, TimeSpan duration)
    {
        var batches = Batches(batchSize, count: 64);
        var perSecond = new List<long>();
        var batchMs = new List<double>();
        long total = 0;
        long inWindow = 0;
        var clock = Stopwatch.StartNew();
        var windowStart = TimeSpan.Zero;
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var started = clock.Elapsed;
            await store.WriteDecisionsAsync(batches[i % batches.Length], CancellationToken.None);
            batchMs.Add((clock.Elapsed - started).TotalMilliseconds);
            total += batchSize;
            inWindow += batchSize;
            if (clock.Elapsed - windowStart >= TimeSpan.FromSeconds(1))
            {
                perSecond.Add((long)(inWindow / (clock.Elapsed - windowStart).TotalSeconds));
                windowStart = clock.Elapsed;
                inWindow = 0;
            }
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {store.Provider} | {total:N0} | {total / elapsed:N0} | {Median(perSecond.Select(static v => (double)v)):N0} | {perSecond.DefaultIfEmpty().Min():N0} | {Median(batchMs):F2} |");
    }

    /// <summary>Distinct batches (fresh correlation ids, users spread over 100,000), reused round-robin.</summary>
    private static DecisionRecord[][] Batches(int batchSize, int count)
    {
        var hasher = UserKeyHasher.Keyed(Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef"));
        var random = new Random(20261126);
        var now = TimeProvider.System.GetUtcNow();
        var batches = new DecisionRecord[count][];
        for (var b = 0; b < count; b++)
        {
            var records = new DecisionRecord[batchSize];
            for (var i = 0; i < batchSize; i++)
            {
                var user = "2507" + random.Next(10_000_000, 10_100_000).ToString(CultureInfo.InvariantCulture);
                var domain = Domains[random.Next(Domains.Length)];
                var unified = domain is "jobs" or "marketplace" or "property" && random.Next(4) == 0;
                var failed = random.Next(50) == 0;
                records[i] = new DecisionRecord(
                    now, Guid.CreateVersion7(now).ToString("N"), $"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQz{b:D4}{i:D6}", hasher.Protect(user),
                    UpdateKind.Message, domain, ClassificationRule.Keyword, random.Next(10_000), unified ? Route.Unified : Route.Legacy,
                    unified ? "unified" : domain, unified ? "agent-" + domain : domain, !failed, failed ? 503 : 200,
                    Math.Exp(random.NextDouble() * 7) / 10, failed ? "upstream answered 503" : null, false);
            }

            batches[b] = records;
        }

        return batches;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
