using System.Diagnostics;
using System.Globalization;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;
using Cutover.Testing;

namespace Cutover.Benchmarks;

/// <summary>
/// What the <c>split</c> check's store read costs, every 30 s: <see cref="IStatsStore.CountUsersAsync"/> over a window
/// holding a decision log of realistic size, on each store. Outside BenchmarkDotNet because the data takes a minute to
/// write and each read is hundreds of milliseconds: a few timed reads after one warm-up are enough.
/// </summary>
internal static class SplitUsersRun
{
    private static readonly string[] Domains = ["jobs", "marketplace", "property", "mobility", "profile", "insurance", "default"];
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 11, 37, 20, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var rows = IntOption(args, "--rows", 1_000_000);
        var users = IntOption(args, "--users", 200_000);
        var reads = IntOption(args, "--reads", 5);
        var providers = Option(args, "--providers")?.Split(',') ?? [StoreFactory.Sqlite, StoreFactory.Postgres];

        var minutes = IntOption(args, "--minutes", 1000);
        output.WriteLine($"# split users: {rows:N0} decisions over the last {minutes:N0} minutes from {users:N0} users; {reads} reads after one warm-up ({Environment.ProcessorCount} cores)");
        output.WriteLine("| store | write s | window | rows in it | excluded keys | users (jobs) | median read ms | slowest read ms |");
        output.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
        foreach (var provider in providers)
        {
            PostgresCluster? cluster = null;
            var directory = Directory.CreateTempSubdirectory("cutover-split-");
            try
            {
                string connectionString;
                if (provider == StoreFactory.Postgres)
                {
                    if (PostgresCluster.Unavailable() is { } problem)
                    {
                        output.WriteLine($"| postgres | skipped: {problem} | | | | | |");
                        continue;
                    }

                    cluster = await PostgresCluster.StartNewAsync(CancellationToken.None);
                    connectionString = await cluster.CreateDatabaseAsync(CancellationToken.None);
                }
                else
                {
                    connectionString = $"Data Source={Path.Combine(directory.FullName, "cutover.db")}";
                }

                await using var store = StoreFactory.Open(provider, connectionString, TimeProvider.System);
                await store.MigrateAsync(CancellationToken.None);
                var keys = Enumerable.Range(0, users).Select(static i => Convert.ToBase64String(BitConverter.GetBytes(((long)i * 2_654_435_761L) ^ 0x5DEECE66DL))
                    + "-k" + i.ToString("x6", CultureInfo.InvariantCulture)).ToArray();
                var written = Stopwatch.StartNew();
                await WriteAsync(store, keys, rows, TimeSpan.FromMinutes(minutes));
                written.Stop();
                foreach (var (window, excluded) in new[] { (TimeSpan.FromHours(1), 0), (TimeSpan.FromHours(1), 100), (TimeSpan.FromMinutes(minutes), 0) })
                {
                    IReadOnlyCollection<string> pinned = [.. keys.Take(excluded)];
                    var from = Now - window;
                    var counts = await store.CountUsersAsync(from, Now, pinned, CancellationToken.None); // warm-up
                    var times = new List<double>();
                    for (var i = 0; i < reads; i++)
                    {
                        var watch = Stopwatch.StartNew();
                        counts = await store.CountUsersAsync(from, Now, pinned, CancellationToken.None);
                        times.Add(watch.Elapsed.TotalMilliseconds);
                    }

                    times.Sort();
                    var jobs = counts.FirstOrDefault(static c => c.Domain == "jobs");
                    var inWindow = (long)Math.Round(rows * Math.Min(1, window / TimeSpan.FromMinutes(minutes)));
                    output.WriteLine($"| {provider} | {written.Elapsed.TotalSeconds:0} | {StatsWindowText(window)} | {inWindow:N0} | {excluded} | {jobs.Users:N0} ({jobs.UnifiedUsers:N0} on unified) | {times[times.Count / 2]:0} | {times[^1]:0} |");
                }
            }
            finally
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync();
                }

                directory.Delete(recursive: true);
            }
        }

        return 0;
    }

    private static string StatsWindowText(TimeSpan window) => window.TotalHours >= 1 && window.TotalHours % 1 == 0
        ? $"{window.TotalHours:0} h" : $"{window.TotalMinutes:0} min";

    /// <summary>Decisions spread evenly over <paramref name="span"/> before <see cref="Now"/>, users uniform, 10% of buckets on unified.</summary>
    private static async Task WriteAsync(ICutoverStore store, string[] keys, int rows, TimeSpan span)
    {
        var random = new Random(42);
        var batch = new List<DecisionRecord>(1000);
        for (var i = 0; i < rows; i++)
        {
            var user = random.Next(keys.Length);
            var bucket = (int)((uint)(user * 2_654_435_761L) % 10_000);
            var domain = Domains[random.Next(Domains.Length)];
            var field = random.NextDouble() < 0.02;
            var routable = domain is "jobs" or "marketplace" or "property";
            var route = !field && routable && bucket < 1000 ? Route.Unified : Route.Legacy;
            batch.Add(new DecisionRecord(
                Now - span + TimeSpan.FromMilliseconds(span.TotalMilliseconds * i / rows), $"c{i}", $"m{i}", keys[user],
                field ? UpdateKind.Change : UpdateKind.Message, field ? "default" : domain,
                field ? ClassificationRule.Field : ClassificationRule.Keyword, bucket, route,
                route == Route.Unified ? "unified" : domain, route == Route.Unified ? "jobs-search" : $"legacy-{domain}",
                true, 200, 120, null, false));
            if (batch.Count == batch.Capacity)
            {
                await store.WriteDecisionsAsync(batch, CancellationToken.None);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await store.WriteDecisionsAsync(batch, CancellationToken.None);
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
