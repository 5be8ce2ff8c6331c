using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Npgsql;

namespace Cutover.EndToEnd.Tests;

/// <summary>
/// `cutover serve` processes on one real PostgreSQL, steered from SQL as the runbooks do and from the CLI: changes in
/// SQL reach the routers by notification, the runbooks' view and health function agree with the CLI, several routers
/// decide alike and hand the rollout over when the leader is killed, and an outage of the database loses no webhook.
/// </summary>
public sealed class PostgresProcessTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>, IAsyncLifetime
{
    private const string OperateToken = "e2e-operate-token-0123";
    private const string HashKey = "e2e-hash-key-0123456789abcdef";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;
    private string _database = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(Cancel);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-pg-");
        _database = await postgres.Cluster.CreateDatabaseAsync(Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task SqlFunctions_ReachARunningRouterByNotification_AndAppearInHistory()
    {
        // arrange
        await using var router = await StartRouterAsync("a");
        using var http = router.Http;

        // act: the runbook's command in SQL
        await SqlAsync("SELECT update_routing_percentage(25.00, 'week 6: 25% from psql')");
        await UntilAsync(http, static s => s.GetProperty("percent").GetDecimal() == 25m);
        var quarter = await UnifiedShareAsync(http, users: 4000, offset: 0);

        await SqlAsync("SELECT set_routing_enabled(false, 'emergency')");
        await UntilAsync(http, static s => !s.GetProperty("enabled").GetBoolean());
        var off = await UnifiedShareAsync(http, users: 400, offset: 10_000);

        // assert
        Assert.InRange(quarter, 0.23, 0.27);
        Assert.Equal(0, off);

        var history = await Cli("history", "--json", "--url", router.Url, "--token", OperateToken);
        Assert.True(history.ExitCode == 0, history.Error);
        var events = JsonDocument.Parse(history.Output).RootElement.EnumerateArray()
            .Select(static e => (Kind: e.GetProperty("kind").GetString(), Actor: e.GetProperty("actor").GetString(), Reason: e.GetProperty("reason").GetString()))
            .ToList();
        Assert.Contains(("percent", "postgres", "week 6: 25% from psql"), events);
        Assert.Contains(("disable", "postgres", "emergency"), events);
    }

    [Fact]
    public async Task RunbookViewAndHealthFunction_AgreeWithStatsAndHealth()
    {
        // arrange: traffic over three domains at 50%, unified failing a tenth of its requests
        await using var router = await StartRouterAsync("a");
        using var http = router.Http;
        var set = await Cli("set", "50", "--reason", "e2e", "--url", router.Url, "--token", OperateToken);
        Assert.True(set.ExitCode == 0, set.Error);
        string[] words = ["job", "sell", "rent"];
        for (var i = 0; i < 600; i++)
        {
            _upstreams.Respond("unified", i % 10 == 0 ? 503 : 200);
            using var response = await PostAsync(http, Msg.Text($"2507881{i:D5}", $"{words[i % 3]} please"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WaitWrittenAsync(http, 600);

        // act
        var stats = await Cli("stats", "--json", "--window", "1h", "--url", router.Url, "--token", OperateToken);
        var view = await SqlRowsAsync("SELECT domain, routed_to, request_count, error_count, p50_ms, p95_ms, p99_ms, avg_response_ms FROM webhook_routing_stats");
        var health = await Cli("health", "--json", "--url", router.Url, "--token", OperateToken);
        var checks = await SqlRowsAsync("SELECT check_name, status FROM check_routing_health()");

        // assert: the same rows, the same counts and percentiles (to the rounding of the CLI's JSON)
        Assert.True(stats.ExitCode == 0, stats.Error);
        var routes = JsonDocument.Parse(stats.Output).RootElement.GetProperty("routes").EnumerateArray().ToList();
        Assert.Equal(routes.Count, view.Count);
        foreach (var route in routes)
        {
            var row = Assert.Single(view, r => (string)r["domain"]! == route.GetProperty("domain").GetString()
                && (string)r["routed_to"]! == route.GetProperty("routed_to").GetString());
            Assert.Equal(route.GetProperty("request_count").GetInt64(), Convert.ToInt64(row["request_count"]));
            Assert.Equal(route.GetProperty("error_count").GetInt64(), Convert.ToInt64(row["error_count"]));
            foreach (var column in new[] { "p50_ms", "p95_ms", "p99_ms", "avg_response_ms" })
            {
                Assert.Equal(route.GetProperty(column).GetDouble(), Convert.ToDouble(row[column]), 0.01);
            }
        }

        Assert.Contains(routes, static r => r.GetProperty("routed_to").GetString() == "unified" && r.GetProperty("error_count").GetInt64() > 0);
        var judged = JsonDocument.Parse(health.Output).RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(static c => c.GetProperty("name").GetString()!, static c => c.GetProperty("state").GetString()!);
        Assert.NotEmpty(judged);
        foreach (var (name, state) in judged)
        {
            Assert.Equal(state, (string)Assert.Single(checks, r => (string)r["check_name"]! == name)["status"]!);
        }
    }

    [Fact]
    public async Task ThreeRouters_DecideAlikeForTenThousandUsers_AndAnotherTakesTheRolloutWhenTheLeaderIsKilled()
    {
        // arrange
        var routers = new List<Router>();
        for (var i = 0; i < 3; i++)
        {
            routers.Add(await StartRouterAsync($"r{i}", rollout: true));
        }

        try
        {
            var set = await Cli("set", "37", "--reason", "e2e", "--url", routers[0].Url, "--token", OperateToken);
            Assert.True(set.ExitCode == 0, set.Error);
            foreach (var router in routers)
            {
                await UntilAsync(router.Http, static s => s.GetProperty("percent").GetDecimal() == 37m);
            }

            // act 1: every router explains the same 10,000 users
            var routes = new List<string>[3];
            for (var i = 0; i < 3; i++)
            {
                routes[i] = [];
                for (var batch = 0; batch < 10; batch++)
                {
                    var payload = WebhookBuilder.Of([.. Enumerable.Range(batch * 1000, 1000).Select(static u => Msg.Text($"25078{u:D7}", "job"))]);
                    using var content = new ByteArrayContent(payload);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await routers[i].Http.PostAsync("admin/explain", content, Cancel);
                    var body = await response.Content.ReadAsStringAsync(Cancel);
                    Assert.True(response.IsSuccessStatusCode, body);
                    routes[i].AddRange(JsonDocument.Parse(body).RootElement.GetProperty("updates").EnumerateArray()
                        .Select(static u => $"{u.GetProperty("user_key").GetString()}:{u.GetProperty("route").GetString()}"));
                }
            }

            // assert 1
            Assert.Equal(10_000, routes[0].Count);
            Assert.Equal(routes[0], routes[1]);
            Assert.Equal(routes[0], routes[2]);
            Assert.InRange(routes[0].Count(static r => r.EndsWith(":unified", StringComparison.Ordinal)) / 10_000.0, 0.35, 0.39);

            // act 2: back to 0, a rollout from there, then SIGKILL to its leader
            var reset = await Cli("set", "0", "--reason", "e2e: before the rollout", "--url", routers[0].Url, "--token", OperateToken);
            Assert.True(reset.ExitCode == 0, reset.Error);
            var start = await Cli("rollout", "start", "--reason", "e2e: leader failover", "--url", routers[0].Url, "--token", OperateToken);
            Assert.True(start.ExitCode == 0, start.Error);
            var leader = await LeaderAsync(routers, Timeout);
            await leader.Process.KillAsync();
            var killedAt = Stopwatch.StartNew();
            var survivors = routers.Where(r => r != leader).ToList();
            var next = await LeaderAsync(survivors, Timeout);
            var takeover = killedAt.Elapsed;
            var stepAtTakeover = (await GetJsonAsync(next.Http, "admin/rollout")).GetProperty("step").GetInt32();

            // the rollout goes on under the new leader: traffic until it has moved past its first step
            using var traffic = new CancellationTokenSource();
            var load = SendTrafficAsync(survivors, traffic.Token);
            await Eventually.WaitAsync(async () =>
            {
                var rollout = await GetJsonAsync(next.Http, "admin/rollout");
                return rollout.GetProperty("step").GetInt32() > 1 || rollout.GetProperty("state").GetString() == "complete";
            }, TimeSpan.FromMinutes(4), "the rollout to advance under the new leader");
            await traffic.CancelAsync();
            await load;

            // assert 2: one evaluation interval (2 s) plus the time to see it through HTTP
            Assert.True(takeover < TimeSpan.FromSeconds(3), $"the new leader took over after {takeover.TotalSeconds:F1} s");
            Assert.Equal(1, stepAtTakeover);
        }
        finally
        {
            foreach (var router in routers)
            {
                await router.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Serve_HashedKeysWithoutHashKey_RefusedNamingTheKeyWhyAndHow_StoredKeyKeptUntilOneIsSet()
    {
        // arrange: the database as an earlier version left it, its generated key in cutover_secrets
        await StoreTheKeyAnEarlierVersionMadeAsync();
        var path = await WriteConfigAsync("nokey", rollout: false, queueCapacity: null, hashKey: null);

        // act
        var run = await Cli("serve", "--config", path, "--listen", "http://127.0.0.1:0");

        // assert
        Assert.Equal(78, run.ExitCode);
        Assert.Contains("Cutover:Privacy:HashKey is not set, and PostgreSQL needs it", run.Error);
        Assert.Contains("every instance on the database must hash user keys and message ids with the same key", run.Error);
        Assert.Contains("a key kept in the database would sit beside the hashes it protects", run.Error);
        Assert.Contains("openssl rand -hex 24", run.Error);
        Assert.Contains("env:CUTOVER_HASH_KEY", run.Error);
        Assert.Contains("is deleted at the first start with a configured key", run.Error);
        Assert.Equal(1L, (await SqlRowsAsync("SELECT count(*) AS n FROM cutover_secrets WHERE name = 'user_key_hash'"))[0]["n"]);
    }

    [Fact]
    public async Task Serve_HashKeySet_DeletesTheKeyAnEarlierVersionStored_IdsStoredHashed()
    {
        // arrange
        await StoreTheKeyAnEarlierVersionMadeAsync();

        // act
        await using var router = await StartRouterAsync("a");
        using var http = router.Http;
        var message = Msg.Text("250788123456", "job");
        using (var response = await PostAsync(http, message))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await WaitWrittenAsync(http, 1);

        // assert: the old key is gone, and says so; ids and keys are stored as HMACs of the configured key
        Assert.Equal(0L, (await SqlRowsAsync("SELECT count(*) AS n FROM cutover_secrets"))[0]["n"]);
        Assert.Contains("Deleted the hashing key an earlier version kept in the store (postgres)", router.Process.Output + router.Process.Error);
        var row = Assert.Single(await SqlRowsAsync("SELECT message_id, from_number FROM webhook_routing_logs"));
        var key = System.Text.Encoding.UTF8.GetBytes(HashKey);
        Assert.Equal(Hmac(key, "250788123456"), row["from_number"]);
        Assert.Equal(Hmac(System.Security.Cryptography.HMACSHA256.HashData(key, "cutover:message-id"u8), message.MessageId), row["message_id"]);
    }

    private async Task StoreTheKeyAnEarlierVersionMadeAsync()
    {
        await using var store = Cutover.Store.StoreFactory.Open(Cutover.Store.StoreFactory.Postgres, _database, TimeProvider.System);
        await store.MigrateAsync(Cancel);
        await store.GetOrCreateSecretAsync("user_key_hash", 32, Cancel);
    }

    private static string Hmac(byte[] key, string value) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(value))[..16]);

    [Fact]
    public async Task DatabaseStoppedForTwentySecondsUnderLoad_NoWebhookRefused_RecoversWithoutRestart_DropsCounted()
    {
        // arrange: a small queue, so that 20 s without the database overflows it
        var cluster = postgres.Cluster;
        await using var router = await StartRouterAsync("a", queueCapacity: 300);
        using var http = router.Http;
        var statuses = new List<HttpStatusCode>();
        string? degraded = null;

        // act: ~50 webhooks a second for 30 s; the database stops at 3 s and starts again at 23 s
        var clock = Stopwatch.StartNew();
        var stopped = false;
        var restarted = false;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var sent = 0;
        var sentWhileDown = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && await timer.WaitForNextTickAsync(Cancel))
        {
            if (!stopped && clock.Elapsed > TimeSpan.FromSeconds(3))
            {
                await cluster.StopAsync(Cancel);
                stopped = true;
            }
            else if (stopped && !restarted && clock.Elapsed > TimeSpan.FromSeconds(23))
            {
                await cluster.StartAsync(Cancel);
                restarted = true;
            }
            else if (stopped && !restarted && degraded is null && sent % 50 == 0)
            {
                using var ready = await http.GetAsync("readyz", Cancel);
                var body = await ready.Content.ReadAsStringAsync(Cancel);
                degraded = body.Contains("degraded", StringComparison.Ordinal) && ready.StatusCode == HttpStatusCode.OK ? body : null;
            }

            using var response = await PostAsync(http, Msg.Text($"2507882{sent:D5}", "job"));
            statuses.Add(response.StatusCode);
            sent++;
            sentWhileDown += stopped && !restarted ? 1 : 0;
        }

        // assert: every webhook was taken; /readyz said why it was degraded; it recovers by itself
        Assert.True(sentWhileDown >= 300, $"only {sentWhileDown} webhooks went out while the database was down");
        Assert.All(statuses, static s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Contains("store (decision_log): failing since", degraded, StringComparison.Ordinal);

        await Eventually.WaitAsync(async () =>
        {
            using var ready = await http.GetAsync("readyz", Cancel);
            return ready.StatusCode == HttpStatusCode.OK && !(await ready.Content.ReadAsStringAsync(Cancel)).Contains("degraded", StringComparison.Ordinal);
        }, Timeout, "/readyz to be ready again");

        await SqlAsync("SELECT update_routing_percentage(40.00, 'after the outage')");
        // The router listens again after the outage: with the re-read at 10 min, only a notification brings 40% in time.
        await UntilAsync(http, static s => s.GetProperty("percent").GetDecimal() == 40m);

        JsonElement log = default;
        await Eventually.WaitAsync(async () =>
        {
            log = (await GetJsonAsync(http, "admin/status")).GetProperty("decision_log");
            return log.GetProperty("queued").GetInt64() == 0 && log.GetProperty("written").GetInt64() + log.GetProperty("dropped").GetInt64() == sent;
        }, Timeout, "the queue to drain");
        Assert.True(log.GetProperty("dropped").GetInt64() > 0, "20 s at 50/s must overflow a queue of 300");
        Assert.Equal(0, log.GetProperty("failed").GetInt64());
        Assert.Equal(log.GetProperty("written").GetInt64(), Convert.ToInt64((await SqlRowsAsync("SELECT count(*) AS n FROM webhook_routing_logs"))[0]["n"]));
    }

    private async Task<Router> StartRouterAsync(string name, bool rollout = false, int? queueCapacity = null, string? hashKey = HashKey)
    {
        var path = await WriteConfigAsync(name, rollout, queueCapacity, hashKey);
        var process = CutoverProcess.Start(_directory.FullName, "serve", "--config", path, "--listen", "http://127.0.0.1:0");
        var url = await process.ListeningAsync(Timeout);
        var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperateToken);
        return new Router(name, url, process, http);
    }

    private async Task<string> WriteConfigAsync(string name, bool rollout, int? queueCapacity, string? hashKey)
    {
        var upstreams = new JsonObject();
        foreach (var upstream in RecordingUpstreams.Names)
        {
            upstreams[upstream] = new JsonObject { ["Url"] = _upstreams.UrlOf(upstream) };
        }

        var cutover = new JsonObject
        {
            ["AppSecret"] = RouterHarness.AppSecret,
            ["Upstreams"] = upstreams,
            // The safety-net re-read at its longest (10 min): a change made in SQL can only reach a router within the
            // test's timeout by LISTEN/NOTIFY, so the tests show the notification path works (after an outage too)
            // without timing it, which on a loaded machine says more about the load than about Cutover.
            ["Store"] = new JsonObject { ["Provider"] = "postgres", ["ConnectionString"] = _database, ["PollInterval"] = "00:10:00" },
            ["Admin"] = new JsonObject
            {
                ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "alice", ["Token"] = OperateToken, ["Role"] = "operate" }),
            },
            ["DecisionLog"] = new JsonObject
            {
                ["FlushInterval"] = "00:00:00",
                ["QueueCapacity"] = queueCapacity ?? 65536,
                ["BatchSize"] = Math.Min(queueCapacity ?? 1000, 1000) / 3,
            },
        };
        if (hashKey is not null)
        {
            // Absent, not null: a JSON null reads as an empty string.
            cutover["Privacy"] = new JsonObject { ["HashKey"] = hashKey };
        }

        if (rollout)
        {
            cutover["Rollout"] = new JsonObject
            {
                ["Mode"] = "auto",
                ["EvaluationInterval"] = "00:00:02",
                ["Steps"] = new JsonArray(
                    new JsonObject { ["Percent"] = 10, ["Soak"] = "00:00:01", ["MinRequests"] = 5 },
                    new JsonObject { ["Percent"] = 30, ["Soak"] = "00:00:01", ["MinRequests"] = 5 }),
            };
            cutover["Health"] = new JsonObject { ["MinRequests"] = 5, ["LatencyMinRequests"] = 5, ["RecentWindow"] = "00:01:00" };
        }

        var config = new JsonObject
        {
            ["Cutover"] = cutover,
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
        };
        var path = Path.Combine(_directory.FullName, $"cutover-{name}.json");
        await File.WriteAllTextAsync(path, config.ToJsonString(), Cancel);
        return path;
    }

    private async Task SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private async Task<List<Dictionary<string, object?>>> SqlRowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(Cancel))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Waits until <c>/admin/status</c> satisfies <paramref name="condition"/>, within the test's timeout.</summary>
    private static Task UntilAsync(HttpClient http, Func<JsonElement, bool> condition) =>
        Eventually.WaitAsync(async () => condition(await GetJsonAsync(http, "admin/status")), Timeout, "the router to see the change");

    /// <summary>Sends one jobs message from each of <paramref name="users"/> new users; the share that went to unified.</summary>
    private async Task<double> UnifiedShareAsync(HttpClient http, int users, int offset)
    {
        _upstreams.Clear();
        for (var first = 0; first < users; first += 100)
        {
            using var response = await PostAsync(http, [.. Enumerable.Range(offset + first, Math.Min(100, users - first)).Select(static u => Msg.Text($"25079{u:D7}", "job"))]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return (double)_upstreams.For("unified").Sum(static r => CountMessages(r.Body)) / users;
    }

    private static int CountMessages(byte[] body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("entry").EnumerateArray()
            .SelectMany(static e => e.GetProperty("changes").EnumerateArray())
            .Sum(static c => c.GetProperty("value").TryGetProperty("messages", out var m) ? m.GetArrayLength() : 0);

    private static async Task WaitWrittenAsync(HttpClient http, long count) =>
        await Eventually.WaitAsync(async () =>
            (await GetJsonAsync(http, "admin/status")).GetProperty("decision_log").GetProperty("written").GetInt64() >= count,
            Timeout, $"{count} decisions to be written");

    private static async Task<Router> LeaderAsync(IReadOnlyList<Router> routers, TimeSpan timeout)
    {
        Router? leader = null;
        await Eventually.WaitAsync(async () =>
        {
            foreach (var router in routers)
            {
                if ((await GetJsonAsync(router.Http, "admin/rollout")).GetProperty("instance").GetProperty("leader").GetBoolean())
                {
                    leader = router;
                    return true;
                }
            }

            return false;
        }, timeout, "a rollout leader");
        return leader!;
    }

    private static async Task SendTrafficAsync(IReadOnlyList<Router> routers, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var i = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                using var response = await PostAsync(routers[i % routers.Count].Http, Msg.Text($"2507883{i % 5000:D5}", "job"));
                i++;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, params Msg[] messages)
    {
        var body = WebhookBuilder.Of(messages);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add("X-Hub-Signature-256", RouterHarness.Signer.Sign(body));
        return await http.PostAsync("webhook", content);
    }

    private Task<CutoverProcess> Cli(params string[] args) => CutoverProcess.RunAsync(_directory.FullName, Timeout, args);

    private sealed record Router(string Name, string Url, CutoverProcess Process, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
