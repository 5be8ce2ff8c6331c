using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.EndToEnd.Tests;

/// <summary>
/// Issue 16's crash safety on SQLite: a real <c>cutover serve</c> in queued delivery, killed with SIGKILL while 20,000
/// signed webhooks come in, then started again on the same store file. Every webhook that was answered 200 reaches an
/// upstream; the few delivered twice (the deliveries under way at the kill) are counted and reported.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class QueuedCrashSqliteTests : IAsyncLifetime
{
    private const string ReadToken = "e2e-read-token-0123456";
    private const int Webhooks = 20_000;
    private const int Users = 4_000;
    private const int KillAfter = 8_000;
    private const int Senders = 48;

    // The bound on duplicates below is this: a process never holds more leases than it has workers.
    private const int Workers = 32;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(4);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_directory.FullName, "cutover.db");

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-crash-");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Serve_SigkilledDuringTwentyThousandWebhooks_RestartedOnTheSameStore_EveryAcknowledgedWebhookDelivered_FewDuplicates()
    {
        // arrange
        var clock = Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        var ledger = new DeliveryLedger(_upstreams);
        var outcomes = new SendOutcomes(Webhooks, KillAfter);
        var config = WriteConfig();
        byte[] BodyOf(int i) => QueuedTraffic.Body("SQ", i, Users);

        // act 1: traffic, and SIGKILL to the server once 8,000 webhooks have had their 200
        await using var first = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        using var http = QueuedTraffic.Client(await first.ListeningAsync(Timeout));
        QueuedTraffic.AssertIsTheServeProcess(first);
        var sending = QueuedTraffic.SendAsync([.. Enumerable.Range(0, Webhooks)], BodyOf, _ => http, Senders, outcomes, Cancel);
        await Task.WhenAny(outcomes.Threshold.Task, sending).WaitAsync(TimeSpan.FromMinutes(3), Cancel);
        Assert.True(outcomes.Threshold.Task.IsCompleted, $"only {outcomes.Acked} webhooks were answered 200 before the traffic ended:\n{first.Output}\n{first.Error}");
        await first.KillAsync();
        var ackedAtKill = outcomes.Acked;

        // Meta goes on sending meanwhile: the rest are refused, and those under way at the kill get no answer.
        await sending.WaitAsync(TimeSpan.FromMinutes(3), Cancel);
        var ackedByFirst = outcomes.Acked;
        Assert.Equal(128 + 9, first.ExitCode);
        output?.WriteLine($"first process: {ackedAtKill} answered 200 when SIGKILL was sent, {ackedByFirst} in all; failures {Describe(outcomes.Failures)}; "
            + $"{ledger.Distinct} distinct updates at the upstreams by then; {clock.Elapsed.TotalSeconds:F1} s");
        var stranded = await InFlightAsync();
        output?.WriteLine($"{stranded.Count} updates were leased (in flight) in the store when the process died");

        // act 2: the same store again; Meta's retries of every webhook that had no 200 go to it
        await using var second = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        using var secondHttp = QueuedTraffic.Client(await second.ListeningAsync(Timeout));
        var restarted = clock.Elapsed;
        var retries = 0;
        for (var round = 0; round < 5 && outcomes.NotAcked() is { Count: > 0 } missing; round++)
        {
            retries += missing.Count;
            await QueuedTraffic.SendAsync(missing, BodyOf, _ => secondHttp, Senders, outcomes, Cancel);
        }

        var resent = DateTimeOffset.UtcNow;
        var resentBy = clock.Elapsed;
        var queue = await QueuedTraffic.DrainedAsync(secondHttp, ReadToken, resent, DrainTimeout, second);
        var drained = clock.Elapsed;

        // assert: every webhook answered 200 (by the first process or, retried, by the second) reached an upstream
        var duplicates = ledger.Duplicates;
        output?.WriteLine($"second process: {retries} webhooks sent again, all answered 200 by {resentBy.TotalSeconds:F1} s; "
            + $"drained {(drained - restarted).TotalSeconds:F1} s after the restart; queue {queue}");
        output?.WriteLine($"upstreams: {ledger.Requests} requests, {ledger.Distinct} distinct updates, {duplicates.Count} delivered more than once"
            + (duplicates.Count > 0 ? $": {string.Join(", ", duplicates.Take(40).Select(static d => $"{d.Key}×{d.Value}"))}" : string.Empty));
        Assert.Empty(outcomes.NotAcked());
        var lost = Enumerable.Range(0, Webhooks).Select(static i => QueuedTraffic.IdOf("SQ", i)).Where(id => ledger.CountOf(id) == 0).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged webhooks never reached an upstream: {string.Join(", ", lost.Take(20))}");
        Assert.True(ledger.ProblemCount == 0, $"{ledger.ProblemCount} unexpected requests: {string.Join("; ", ledger.Problems)}");
        QueuedCrash.AssertOnlyCutOffByTheKill(_upstreams, Workers, output);
        Assert.Equal((0L, (long)Webhooks), (queue.GetProperty("dead").GetInt64(), queue.GetProperty("delivered").GetInt64()));

        // At least once, and how few: an update is delivered twice only when a handler received it and Cutover did not
        // record that it was taken. Either the process died with it leased (sent, its outcome not yet recorded): at most
        // one lease per worker, since a worker's slot is taken before its claim and given back after the outcome is
        // recorded, so at most Workers; or an attempt reached the handler but failed at Cutover's end (its answer did
        // not come within TimeoutMs on this loaded machine) and was retried, each logged as a failed attempt. A lease
        // never ends under an attempt (Lease >= 2 x the longest TimeoutMs), so nothing else is sent twice.
        var failedAttempts = QueuedCrash.FailedAttempts(first, second);
        output?.WriteLine($"attempts that failed (timeouts, refusals) and were retried: {failedAttempts}; "
            + $"leases lost (an outcome recorded after the lease ended): {QueuedCrash.LeasesLost(first, second)}");
        Assert.InRange(stranded.Count, 0, Workers);
        Assert.True(duplicates.Count <= stranded.Count + failedAttempts,
            $"{duplicates.Count} updates delivered more than once; {stranded.Count} were leased at the kill, {failedAttempts} attempts failed");
        Assert.All(duplicates, static d => Assert.Equal(2, d.Value));

        // The work the dead process held was delivered by the new one once its leases ran out, and is recorded so.
        await second.TerminateAsync(Timeout);
        Assert.Equal(stranded.Count, await CountAsync("SELECT count(*) FROM cutover_deliveries WHERE state = 'delivered' AND id IN (SELECT value FROM json_each(@ids))", stranded));
        output?.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string Describe(IReadOnlyDictionary<string, int> failures) =>
        failures.Count == 0 ? "none" : string.Join(", ", failures.OrderBy(static f => f.Key, StringComparer.Ordinal).Select(static f => $"{f.Key}: {f.Value}"));

    /// <summary>The updates leased in the store (read while no server has it open).</summary>
    private async Task<List<long>> InFlightAsync()
    {
        var ids = new List<long>();
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false"))
        {
            await connection.OpenAsync(Cancel);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id FROM cutover_deliveries WHERE state = 'inflight'";
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            while (await reader.ReadAsync(Cancel))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        return ids;
    }

    private async Task<long> CountAsync(string sql, List<long> ids)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        await connection.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(ids));
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    private string WriteConfig()
    {
        var upstreams = new JsonObject();
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams[name] = new JsonObject { ["Url"] = _upstreams.UrlOf(name), ["TimeoutMs"] = 1000 };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["AppSecret"] = RouterHarness.AppSecret,
                ["Upstreams"] = upstreams,
                ["Store"] = new JsonObject { ["ConnectionString"] = $"Data Source={DatabasePath}" },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "dashboard", ["Token"] = ReadToken, ["Role"] = "read" }),
                },
                ["Delivery"] = QueuedCrash.Delivery(Workers),
            },
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        };
        var path = Path.Combine(_directory.FullName, "cutover.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}

/// <summary>The delivery settings of the crash tests, and what they read from the servers' logs.</summary>
internal static class QueuedCrash
{
    /// <summary>Attempts the servers logged as failed (a timeout, a refusal, an error status): each is tried again.</summary>
    public static int FailedAttempts(params CutoverProcess[] servers) =>
        servers.Sum(static s => Regex.Count(s.Output, @"Upstream \S+ failed \("));

    /// <summary>
    /// Requests the upstreams' Kestrel refused before they reached the handler: none, but for requests the killed process
    /// was still writing when it died (a handler sees a request whose sender vanished mid-way). Those are connections
    /// the killed process had open with a delivery on them: at most one per worker. Every one is written to the output.
    /// </summary>
    public static void AssertOnlyCutOffByTheKill(RecordingUpstreams upstreams, int workers, ITestOutputHelper? output)
    {
        var refused = upstreams.BadRequests.Select(static b => b.Value).ToList();
        if (refused.Count > 0)
        {
            output?.WriteLine($"{refused.Count} requests refused by the upstreams' Kestrel:\n{string.Join("\n", refused)}");
        }

        Assert.True(refused.Count <= workers, $"{refused.Count} requests refused by the upstreams:\n{string.Join("\n", refused)}");
    }

    /// <summary>Deliveries whose outcome was recorded after their lease had ended (the update may go out again).</summary>
    public static int LeasesLost(params CutoverProcess[] servers) =>
        servers.Sum(static s => Regex.Count(s.Output, "was no longer leased to this instance"));

    /// <summary>
    /// Queued, with a short lease (5 s: over twice the upstreams' 1 s timeout, with room for a loaded machine) so a dead
    /// process's work comes back within seconds, quick retries, and workers polling every 50 ms for work another left.
    /// </summary>
    public static JsonObject Delivery(int workers) => new()
    {
        ["Mode"] = "queued",
        ["Lease"] = "00:00:05",
        ["Workers"] = workers,
        ["ConcurrencyPerUpstream"] = workers,
        ["RetryBase"] = "00:00:00.050",
        ["RetryCap"] = "00:00:00.500",
        ["PollInterval"] = "00:00:00.050",
    };
}
