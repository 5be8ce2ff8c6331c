using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cutover.Core.Classification;
using Cutover.Core.DecisionLog;
using Cutover.Core.Privacy;
using Cutover.Core.Routing;
using Cutover.Core.Webhooks;
using Cutover.Store;
using Microsoft.Data.Sqlite;

namespace Cutover.Benchmarks;

/// <summary>
/// A SQLite store holding a week of decisions (10 million by default) written through the real
/// <see cref="ICutoverStore.WriteDecisionsAsync"/> in batches of 1000, so its decision log and its rollups are
/// what production would have written. Built once and kept under the system temp folder, keyed by
/// <see cref="Version"/>: reruns open the file instead of regenerating it.
/// </summary>
/// <remarks>
/// What is generated (deterministic, seed 42):
/// <list type="bullet">
/// <item>Times: the 7 days (10,080 minutes) before <see cref="Now"/>; each minute's count follows a daily cycle,
/// weight 1 + 0.7·cos(2π(h − 15)/24) in local time (UTC+2, peak 15:00, trough 03:00, 5.7× apart), scaled so the
/// week holds exactly the requested count (~1,000 a minute on average, ~300 to ~1,700); times inside a minute
/// uniform, sorted; written in time order, 1000 to a batch.</item>
/// <item>Users: 200,000, picked uniformly; keys hashed as <c>Privacy:UserKeys = hashed</c> stores them; each user
/// has a fixed bucket (0-9999).</item>
/// <item>Domains (per decision): jobs 20%, marketplace 25%, property 10%, mobility 15%, profile 8%,
/// insurance 4%, default 18%. Routable: jobs, marketplace, property (the defaults); a user with bucket &lt; 2500
/// goes to unified there (25%); everything else to legacy.</item>
/// <item>Handlers: 8 unified agents (3 per routable domain, concierge and support shared), one legacy handler per
/// domain (<c>legacy-&lt;domain&gt;</c>): 15 names.</item>
/// <item>Outcomes: 0.2% errors (half 502 with no handler named, half timed out at 10 s); on unified a further
/// 0.5% fall back to legacy (delivered, unified's handler kept, both attempts' time counted).</item>
/// <item>Latencies: log-normal; legacy median 120 ms σ 0.5, unified agents median 350-700 ms σ 0.6.</item>
/// <item>Kinds and rules: 90% messages (keyword, memory, interactive; the default domain by fallback),
/// 8% statuses (memory), 2% changes (field).</item>
/// </list>
/// </remarks>
internal static class StatsData
{
    /// <summary>The fixed "now" the data ends at and the stats windows end at: ragged, as a real query's is.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 11, 37, 20, TimeSpan.Zero);

    public const int BatchSize = 1000;

    /// <summary>Change when the generator changes, so a stale file is rebuilt.</summary>
    private const string GeneratorVersion = "stats-v1";

    private const int Users = 200_000;

    private static readonly (string Name, double Weight)[] Domains =
    [
        ("jobs", 0.20), ("marketplace", 0.25), ("property", 0.10), ("mobility", 0.15), ("profile", 0.08), ("insurance", 0.04),
        ("default", 0.18),
    ];

    private static readonly Dictionary<string, (string Name, double Median)[]> Agents = new(StringComparer.Ordinal)
    {
        ["jobs"] = [("jobs-search-agent", 350), ("jobs-apply-agent", 500), ("concierge-agent", 700)],
        ["marketplace"] = [("marketplace-buy-agent", 400), ("marketplace-sell-agent", 450), ("support-agent", 600)],
        ["property"] = [("property-rent-agent", 420), ("property-sale-agent", 480), ("concierge-agent", 700)],
    };

    /// <summary>How many decisions: 10 million, or <c>CUTOVER_BENCH_STATS_DECISIONS</c> for a quick try.</summary>
    public static long Count =>
        long.TryParse(Environment.GetEnvironmentVariable("CUTOVER_BENCH_STATS_DECISIONS"), CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : 10_000_000;

    public static string Version => $"{GeneratorVersion}-{Count}-{Now.ToUnixTimeSeconds()}";

    public static string Folder => Path.Combine(Path.GetTempPath(), "cutover-bench-stats", Version);

    public static string DatabasePath => Path.Combine(Folder, "cutover.db");

    public static string ConnectionString => $"Data Source={DatabasePath}";

    private static string ReadyPath => Path.Combine(Folder, "ready.txt");

    /// <summary>Builds the store unless a complete one of this version is there; returns what <c>ready.txt</c> says.</summary>
    public static string EnsureBuilt(TextWriter output)
    {
        if (File.Exists(ReadyPath))
        {
            return File.ReadAllText(ReadyPath);
        }

        // Data of an older generator is of no use to anyone: remove it (other counts of this one are kept).
        var parent = Path.GetDirectoryName(Folder)!;
        if (Directory.Exists(parent))
        {
            foreach (var stale in Directory.GetDirectories(parent))
            {
                if (!Path.GetFileName(stale).StartsWith(GeneratorVersion + "-", StringComparison.Ordinal))
                {
                    Directory.Delete(stale, recursive: true);
                }
            }
        }

        Directory.CreateDirectory(Folder);
        output.WriteLine($"// building {Count:N0} decisions in {DatabasePath} (once; kept for reruns)");
        var stopwatch = Stopwatch.StartNew();
        BuildAsync(output).GetAwaiter().GetResult();
        var seconds = stopwatch.Elapsed.TotalSeconds;

        long rollups, minuteRows, hourRows, decisions;
        using (var connection = new SqliteConnection(ConnectionString))
        {
            connection.Open();
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            decisions = Scalar(connection, "SELECT count(*) FROM webhook_routing_logs");
            rollups = Scalar(connection, "SELECT count(*) FROM webhook_routing_rollups");
            minuteRows = Scalar(connection, "SELECT count(*) FROM webhook_routing_rollups WHERE resolution = 60");
            hourRows = Scalar(connection, "SELECT count(*) FROM webhook_routing_rollups WHERE resolution = 3600");
        }

        SqliteConnection.ClearAllPools();
        var bytes = Directory.GetFiles(Folder, "cutover.db*").Sum(static f => new FileInfo(f).Length);
        var ready = string.Create(CultureInfo.InvariantCulture,
            $"version {Version}; {decisions:N0} decisions in {(decisions + BatchSize - 1) / BatchSize:N0} batches of up to {BatchSize}; "
            + $"{rollups:N0} rollup rows ({minuteRows:N0} minute, {hourRows:N0} hour); built in {seconds:N0} s; "
            + $"{bytes / 1e6:N0} MB on disk ({DatabasePath})");
        File.WriteAllText(ReadyPath, ready);
        return ready;
    }

    private static async Task BuildAsync(TextWriter output)
    {
        foreach (var file in Directory.GetFiles(Folder))
        {
            File.Delete(file);
        }

        var store = StoreFactory.Open(StoreFactory.Sqlite, ConnectionString, new FixedTime(Now));
        await using var _ = store;
        await store.MigrateAsync(CancellationToken.None);

        var random = new Random(42);
        var hasher = UserKeyHasher.Keyed(Encoding.UTF8.GetBytes("bench-hash-key-0123456789abcdef"));
        var userKeys = new string[Users];
        var buckets = new int[Users];
        for (var u = 0; u < Users; u++)
        {
            userKeys[u] = hasher.Protect("2507" + (10_000_000 + u).ToString(CultureInfo.InvariantCulture))!;
            buckets[u] = random.Next(10_000);
        }

        var minutes = (int)TimeSpan.FromDays(7).TotalMinutes;
        var start = Now - TimeSpan.FromDays(7);
        var perMinute = MinuteCounts(start, minutes, Count);
        var batch = new List<DecisionRecord>(BatchSize);
        var offsets = new List<int>();
        var messageBytes = new byte[24];
        long written = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var m = 0; m < minutes; m++)
        {
            var minuteStart = start + TimeSpan.FromMinutes(m);
            offsets.Clear();
            for (var i = 0; i < perMinute[m]; i++)
            {
                offsets.Add(random.Next(60_000));
            }

            offsets.Sort();
            foreach (var offset in offsets)
            {
                var at = minuteStart + TimeSpan.FromMilliseconds(offset);
                random.NextBytes(messageBytes);
                batch.Add(Decision(random, at, userKeys, buckets, "wamid." + Convert.ToBase64String(messageBytes)));
                if (batch.Count == BatchSize)
                {
                    await store.WriteDecisionsAsync(batch, CancellationToken.None);
                    written += batch.Count;
                    batch.Clear();
                    if (written % 1_000_000 == 0)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"// {written:N0} decisions written, {stopwatch.Elapsed.TotalSeconds:N0} s"));
                    }
                }
            }
        }

        if (batch.Count > 0)
        {
            await store.WriteDecisionsAsync(batch, CancellationToken.None);
        }
    }

    /// <summary>Decisions per minute following the daily cycle, summing to exactly <paramref name="total"/>.</summary>
    private static long[] MinuteCounts(DateTimeOffset start, int minutes, long total)
    {
        var weights = new double[minutes];
        for (var m = 0; m < minutes; m++)
        {
            var localHour = (start + TimeSpan.FromMinutes(m + 0.5)).ToOffset(TimeSpan.FromHours(2)).TimeOfDay.TotalHours;
            weights[m] = 1 + (0.7 * Math.Cos(2 * Math.PI * (localHour - 15) / 24));
        }

        var sum = weights.Sum();
        var counts = new long[minutes];
        double cumulative = 0;
        long assigned = 0;
        for (var m = 0; m < minutes; m++)
        {
            cumulative += weights[m];
            var upTo = (long)Math.Round(total * cumulative / sum);
            counts[m] = upTo - assigned;
            assigned = upTo;
        }

        return counts;
    }

    private static DecisionRecord Decision(Random random, DateTimeOffset at, string[] userKeys, int[] buckets, string messageId)
    {
        var user = random.Next(Users);
        var domain = Pick(random);
        var routable = Agents.ContainsKey(domain);
        var route = routable && buckets[user] < 2500 ? Route.Unified : Route.Legacy;
        var kindRoll = random.NextDouble();
        var (kind, rule) = kindRoll switch
        {
            < 0.02 => (UpdateKind.Change, ClassificationRule.Field),
            < 0.10 => (UpdateKind.Status, ClassificationRule.Memory),
            _ when domain == "default" => (UpdateKind.Message, ClassificationRule.Fallback),
            < 0.45 => (UpdateKind.Message, ClassificationRule.Keyword),
            < 0.85 => (UpdateKind.Message, ClassificationRule.Memory),
            _ => (UpdateKind.Message, ClassificationRule.Interactive),
        };

        string upstream, handler;
        double median, sigma;
        if (route == Route.Unified)
        {
            var agents = Agents[domain];
            (handler, median) = agents[random.Next(agents.Length)];
            upstream = "unified";
            sigma = 0.6;
        }
        else
        {
            handler = "legacy-" + domain;
            upstream = domain;
            median = 120;
            sigma = 0.5;
        }

        var latency = LogNormal(random, median, sigma);
        var outcome = random.NextDouble();
        if (outcome < 0.001)
        {
            // The upstream's proxy answered 502 and named no handler.
            return Record(at, messageId, userKeys[user], kind, domain, rule, buckets[user], route, upstream, null, false, 502, latency,
                "failed with 502", false);
        }

        if (outcome < 0.002)
        {
            return Record(at, messageId, userKeys[user], kind, domain, rule, buckets[user], route, upstream, null, false, 0, 10_000,
                "timed out", false);
        }

        if (route == Route.Unified && outcome < 0.007)
        {
            // Unified answered 500, legacy took it: unified's handler and both attempts' time are kept.
            var legacyLatency = LogNormal(random, 120, 0.5);
            return Record(at, messageId, userKeys[user], kind, domain, rule, buckets[user], route, domain, handler, true, 200,
                latency + legacyLatency, "unified failed with 500", true);
        }

        return Record(at, messageId, userKeys[user], kind, domain, rule, buckets[user], route, upstream, handler, true, 200, latency, null, false);
    }

    private static DecisionRecord Record(
        DateTimeOffset at, string messageId, string userKey, UpdateKind kind, string domain, ClassificationRule rule, int bucket, Route route,
        string upstream, string? handler, bool success, int status, double latency, string? error, bool fallback) =>
        new(at, Guid.CreateVersion7(at).ToString("N"), kind == UpdateKind.Change ? null : messageId, userKey, kind, domain, rule, bucket,
            route, upstream, handler, success, status, latency, error, fallback);

    private static string Pick(Random random)
    {
        var roll = random.NextDouble();
        foreach (var (name, weight) in Domains)
        {
            if (roll < weight)
            {
                return name;
            }

            roll -= weight;
        }

        return Domains[^1].Name;
    }

    private static double LogNormal(Random random, double median, double sigma) =>
        median * Math.Exp(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        return (long)command.ExecuteScalar()!;
    }
}

/// <summary>A clock that always says the same time, so a stats window lands on the generated data.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
