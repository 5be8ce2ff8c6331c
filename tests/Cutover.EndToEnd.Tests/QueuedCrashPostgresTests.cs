using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Npgsql;

namespace Cutover.EndToEnd.Tests;

/// <summary>
/// Issue 16's crash safety on PostgreSQL: two <c>cutover serve</c> processes in queued delivery on one database, taking
/// 10,000 signed webhooks between them (half the issue's 20,000: here two processes, the database and handlers that
/// take 100 ms share the machine, and 20,000 took over 4 minutes on the loaded 2-core machine); one is killed with
/// SIGKILL, the other goes on, takes Meta's retries, and once the dead one's leases run out delivers the work it held.
/// And an update Meta sends three times, to either instance, is delivered once.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class QueuedCrashPostgresTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>, IAsyncLifetime
{
    private const string ReadToken = "e2e-read-token-0123456";
    private const string HashKey = "e2e-hash-key-0123456789abcdef";
    private const int Webhooks = 10_000;
    private const int Users = 4_000;
    private const int KillAfter = 4_000;
    private const int Senders = 48;

    // The bound on duplicates below is this: a process never holds more leases than it has workers.
    private const int Workers = 32;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(4);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;
    private string _database = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-pgcrash-");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task TwoInstances_OneSigkilledDuringTenThousandWebhooks_TheOtherDeliversItsLeasedWork_EveryAcknowledgedWebhookDelivered_FewDuplicates()
    {
        // arrange
        _database = await postgres.Cluster.CreateDatabaseAsync(Cancel);
        var clock = Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        var ledger = new DeliveryLedger(_upstreams);
        var outcomes = new SendOutcomes(Webhooks, KillAfter);
        foreach (var name in RecordingUpstreams.Names)
        {
            _upstreams.Latency(name, TimeSpan.FromMilliseconds(100));
        }

        byte[] BodyOf(int i) => QueuedTraffic.Body("PG", i, Users);
        await using var victim = await StartAsync("a");
        await using var survivor = await StartAsync("b");
        QueuedTraffic.AssertIsTheServeProcess(victim.Process);
        var victimOwner = await OwnerOfAsync(victim.Process);

        // act 1: the webhooks spread over both, as a load balancer would; SIGKILL to one once 4,000 have had their 200
        var sending = QueuedTraffic.SendAsync([.. Enumerable.Range(0, Webhooks)], BodyOf, i => i % 2 == 0 ? victim.Http : survivor.Http, Senders, outcomes, Cancel);
        await Task.WhenAny(outcomes.Threshold.Task, sending).WaitAsync(TimeSpan.FromMinutes(3), Cancel);
        Assert.True(outcomes.Threshold.Task.IsCompleted, $"only {outcomes.Acked} webhooks were answered 200 before the traffic ended");

        // At a moment it holds work: with the handlers' 100 ms, leases seen now are still held when the signal lands.
        await Eventually.WaitAsync(async () => (await LeasedToAsync(victimOwner)).Count >= 4, Timeout, "the instance to be killed to hold leases");
        var killing = victim.Process.KillAsync();
        var killedAt = clock.Elapsed;
        var ackedAtKill = outcomes.Acked;

        // Read at once (the signal is sent; waiting for the process to be reaped can take seconds here, and its leases
        // would be the survivor's by then): a row still leased to the dead process now is work it held at its death.
        var stranded = await LeasedToAsync(victimOwner);
        await killing;

        // Meta goes on sending to both meanwhile: the half sent to the dead one is refused.
        await sending.WaitAsync(TimeSpan.FromMinutes(3), Cancel);
        Assert.Equal(128 + 9, victim.Process.ExitCode);
        var ackedInAll = outcomes.Acked;
        output?.WriteLine($"{ackedAtKill} answered 200 when SIGKILL was sent at {killedAt.TotalSeconds:F1} s, {ackedInAll} by the end of the traffic; "
            + $"failures {Describe(outcomes.Failures)}; {stranded.Count} updates leased to the killed instance ({victimOwner}) at its death");

        // act 2: Meta's retries of everything without a 200 reach the survivor
        var retries = 0;
        for (var round = 0; round < 5 && outcomes.NotAcked() is { Count: > 0 } missing; round++)
        {
            retries += missing.Count;
            await QueuedTraffic.SendAsync(missing, BodyOf, _ => survivor.Http, Senders, outcomes, Cancel);
        }

        var resent = DateTimeOffset.UtcNow;
        var resentBy = clock.Elapsed;
        var queue = await QueuedTraffic.DrainedAsync(survivor.Http, ReadToken, resent, DrainTimeout, survivor.Process);
        var drained = clock.Elapsed;

        // assert: the same as on SQLite (QueuedCrashSqliteTests), and the dead instance's leases were taken over
        var duplicates = ledger.Duplicates;
        output?.WriteLine($"{retries} webhooks sent again to the survivor, all answered 200 by {resentBy.TotalSeconds:F1} s; "
            + $"drained {(drained - killedAt).TotalSeconds:F1} s after the kill; queue {queue}");
        output?.WriteLine($"upstreams: {ledger.Requests} requests, {ledger.Distinct} distinct updates, {duplicates.Count} delivered more than once"
            + (duplicates.Count > 0 ? $": {string.Join(", ", duplicates.Take(40).Select(static d => $"{d.Key}×{d.Value}"))}" : string.Empty));
        var failedAttempts = QueuedCrash.FailedAttempts(victim.Process, survivor.Process);
        output?.WriteLine($"attempts that failed (timeouts, refusals) and were retried: {failedAttempts}; "
            + $"leases lost (an outcome recorded after the lease ended): {QueuedCrash.LeasesLost(victim.Process, survivor.Process)}");
        Assert.Empty(outcomes.NotAcked());
        var lost = Enumerable.Range(0, Webhooks).Select(static i => QueuedTraffic.IdOf("PG", i)).Where(id => ledger.CountOf(id) == 0).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged webhooks never reached an upstream: {string.Join(", ", lost.Take(20))}");
        Assert.True(ledger.ProblemCount == 0, $"{ledger.ProblemCount} unexpected requests: {string.Join("; ", ledger.Problems)}");
        QueuedCrash.AssertOnlyCutOffByTheKill(_upstreams, Workers, output);
        Assert.Equal((0L, (long)Webhooks), (queue.GetProperty("dead").GetInt64(), queue.GetProperty("delivered").GetInt64()));

        // The bound, as on SQLite (QueuedCrashSqliteTests): what the killed instance held leased (at most one lease per
        // worker), plus attempts that reached a handler but failed at Cutover's end (a timeout) and were retried.
        Assert.InRange(stranded.Count, 1, Workers);
        Assert.True(duplicates.Count <= stranded.Count + failedAttempts,
            $"{duplicates.Count} updates delivered more than once; {stranded.Count} were leased at the kill, {failedAttempts} attempts failed");
        Assert.All(duplicates, static d => Assert.Equal(2, d.Value));

        // The dead instance's leased work was delivered by the survivor once the leases ran out.
        var takenOver = await ScalarAsync("SELECT count(*) FROM cutover_deliveries WHERE id = ANY(@ids) AND state = 'delivered' AND lease_owner IS NULL", stranded.ToArray());
        Assert.Equal(stranded.Count, takenOver);
        output?.WriteLine($"wall time {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task TwoInstances_SameUpdateSentThreeTimesToEitherAtOnce_DeliveredOnce()
    {
        // arrange: 200 updates (messages, and statuses keyed by id and status), each sent three times at once: twice to
        // one instance, once to the other, as Meta's retries may land anywhere behind a load balancer
        _database = await postgres.Cluster.CreateDatabaseAsync(Cancel);
        var ledger = new DeliveryLedger(_upstreams);
        await using var a = await StartAsync("a");
        await using var b = await StartAsync("b");
        const int Updates = 200;
        var bodies = Enumerable.Range(0, Updates).Select(static i => i % 2 == 0
                ? WebhookBuilder.Of(new Msg($"25079{i:D7}", "text", "looking for a job", Id: $"wamid.TRI{i:D4}"))
                : WebhookBuilder.Of(new Msg($"25079{i:D7}", "status", "read", Id: $"wamid.TRI{i:D4}")))
            .ToArray();
        var outcomes = new SendOutcomes(Updates * 3, int.MaxValue);

        // act
        await QueuedTraffic.SendAsync([.. Enumerable.Range(0, Updates * 3)], i => bodies[i / 3], i => i % 3 == 1 ? b.Http : a.Http, 24, outcomes, Cancel);
        var sent = DateTimeOffset.UtcNow;
        var queue = await QueuedTraffic.DrainedAsync(a.Http, ReadToken, sent, DrainTimeout, a.Process);

        // assert: every copy acknowledged; each update delivered exactly once
        Assert.True(outcomes.NotAcked().Count == 0, $"not answered 200: {Describe(outcomes.Failures)}");
        Assert.True(ledger.ProblemCount == 0, $"{ledger.ProblemCount} unexpected requests: {string.Join("; ", ledger.Problems)}");
        for (var i = 0; i < Updates; i++)
        {
            var key = i % 2 == 0 ? $"wamid.TRI{i:D4}" : $"wamid.TRI{i:D4}:read";
            Assert.True(ledger.CountOf(key) == 1, $"{key} delivered {ledger.CountOf(key)} times");
        }

        Assert.Equal(Updates, ledger.Requests);
        Assert.Equal((0L, (long)Updates), (queue.GetProperty("dead").GetInt64(), queue.GetProperty("delivered").GetInt64()));
    }

    private static string Describe(IReadOnlyDictionary<string, int> failures) =>
        failures.Count == 0 ? "none" : string.Join(", ", failures.OrderBy(static f => f.Key, StringComparer.Ordinal).Select(static f => $"{f.Key}: {f.Value}"));

    /// <summary>The name an instance leases under, from its start-up line.</summary>
    private static async Task<string> OwnerOfAsync(CutoverProcess process)
    {
        var match = Match.Empty;
        // The line is written when delivery starts, once the routing state is loaded.
        await Eventually.WaitAsync(() => (match = Regex.Match(process.Output, @"Queued delivery: \d+ workers, \d+ per upstream, lease \S+, as (\S+)")).Success,
            Timeout, "the delivery start-up line");
        return match.Groups[1].Value;
    }

    private async Task<List<long>> LeasedToAsync(string owner)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT id FROM cutover_deliveries WHERE state = 'inflight' AND lease_owner = @owner", connection);
        command.Parameters.AddWithValue("owner", owner);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var ids = new List<long>();
        while (await reader.ReadAsync(Cancel))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    private async Task<long> ScalarAsync(string sql, long[] ids)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", ids);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<Instance> StartAsync(string name)
    {
        var upstreams = new JsonObject();
        foreach (var upstream in RecordingUpstreams.Names)
        {
            upstreams[upstream] = new JsonObject { ["Url"] = _upstreams.UrlOf(upstream), ["TimeoutMs"] = 1000 };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["AppSecret"] = RouterHarness.AppSecret,
                ["Upstreams"] = upstreams,
                ["Store"] = new JsonObject { ["Provider"] = "postgres", ["ConnectionString"] = _database },
                ["Privacy"] = new JsonObject { ["HashKey"] = HashKey },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "dashboard", ["Token"] = ReadToken, ["Role"] = "read" }),
                },
                ["Delivery"] = QueuedCrash.Delivery(Workers),
            },
            // Warnings, and the line that names the owner of the instance's leases.
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Cutover.Server.Delivery.DeliveryWorker"] = "Information" },
            },
        };
        var path = Path.Combine(_directory.FullName, $"cutover-{name}.json");
        await File.WriteAllTextAsync(path, config.ToJsonString(), Cancel);
        var process = CutoverProcess.Start(_directory.FullName, "serve", "--config", path, "--listen", "http://127.0.0.1:0");
        try
        {
            return new Instance(process, QueuedTraffic.Client(await process.ListeningAsync(Timeout)));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private sealed record Instance(CutoverProcess Process, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
