using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.EndToEnd.Tests;

/// <summary>`cutover serve` as its own process, steered by `cutover` CLI processes, as an operator would.</summary>
public sealed class ServeProcessTests : IAsyncLifetime
{
    private const string OperateToken = "e2e-operate-token-0123";
    private const string ReadToken = "e2e-read-token-0123456";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;

    private string Database => Path.Combine(_directory.FullName, "cutover.db");

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-");
    }

    public async ValueTask DisposeAsync()
    {
        await _upstreams.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Serve_CliChangeVisibleOnNextRequestAuditedAndLogDrainedOnStop()
    {
        // arrange
        var config = WriteConfig();
        await using var server = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        var url = await server.ListeningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        // act: a change through the CLI, then a webhook
        var set = await Cli("set", "100", "--reason", "e2e: everything to unified", "--url", url, "--token", OperateToken);
        using var first = await PostAsync(http, Msg.Text("250788000001", "looking for a job"));

        // assert: the next request saw it; refusals are refused; history has reason and actor
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("unified", Assert.Single(_upstreams.Requests).Upstream);

        var withoutReason = await Cli("set", "50", "--url", url, "--token", OperateToken);
        Assert.Equal(64, withoutReason.ExitCode);
        Assert.Contains("--reason", withoutReason.Error);

        var asReader = await Cli("disable", "--reason", "trying", "--url", url, "--token", ReadToken);
        Assert.Equal(77, asReader.ExitCode);

        var history = await Cli("history", "--json", "--url", url, "--token", ReadToken);
        var events = JsonDocument.Parse(history.Output).RootElement;
        var only = Assert.Single(events.EnumerateArray());
        Assert.Equal(("percent", "alice", "e2e: everything to unified"),
            (only.GetProperty("kind").GetString(), only.GetProperty("actor").GetString(), only.GetProperty("reason").GetString()));

        for (var i = 0; i < 20; i++)
        {
            using var more = await PostAsync(http, Msg.Text($"2507880001{i:D2}", "job"));
            Assert.Equal(HttpStatusCode.OK, more.StatusCode);
        }

        // stop as a service manager would: every decision made is written before the process exits
        await server.TerminateAsync(Timeout);
        Assert.Equal(0, server.ExitCode);
        Assert.Equal(21, CountDecisions());
        Assert.Contains("Webhooks run inline on the socket threads (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1)", server.Output);
    }

    [Fact]
    public async Task Serve_OnAnAddressInUse_OneLineWithoutAStackTrace_Exit69()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";

        await using var server = await CutoverProcess.RunAsync(_directory.FullName, Timeout, "serve", "--config", WriteConfig(), "--listen", address);

        Assert.Equal(69, server.ExitCode);
        Assert.Equal($"cutover: cannot listen on {address}: address already in use\n", server.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Hosting failed to start", server.Output);
        Assert.DoesNotContain("   at ", server.Output + server.Error);
    }

    [Fact]
    public async Task Serve_AutoRolloutWithShortSoaksFromConfig_CompletesOnRealTime()
    {
        // arrange: two steps of a few seconds each. Health judges the split from the first whole minute after a
        // change (rollups are per minute), so each step holds until a minute boundary has passed: ~1-2 min in all.
        var config = WriteConfig(rollout: new JsonObject
        {
            ["Mode"] = "auto",
            ["EvaluationInterval"] = "00:00:01",
            ["Steps"] = new JsonArray(
                new JsonObject { ["Percent"] = 50, ["Soak"] = "00:00:03", ["MinRequests"] = 5 },
                new JsonObject { ["Percent"] = 100, ["Soak"] = "00:00:03", ["MinRequests"] = 5 }),
        });
        await using var server = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        var url = await server.ListeningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var start = await Cli("rollout", "start", "--reason", "e2e: short soaks", "--url", url, "--token", OperateToken);
        Assert.True(start.ExitCode == 0, start.Error);

        // act: steady traffic from new users until the rollout completes, bounded
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? state = null;
        for (var i = 0; clock.Elapsed < TimeSpan.FromMinutes(4); i++)
        {
            using var response = await PostAsync(http, Msg.Text($"2507881{i:D5}", i % 2 == 0 ? "a job please" : "apartment for rent"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // Asking for the status every few updates paces the sender by round trips, not by sleeping.
            if (i % 5 == 0)
            {
                using var status = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/rollout")
                {
                    Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ReadToken) },
                }, TestContext.Current.CancellationToken);
                state = JsonDocument.Parse(await status.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement
                    .GetProperty("state").GetString();
                if (state == "complete")
                {
                    break;
                }
            }

        }

        // assert: complete, through both steps, by the controller itself
        Assert.Equal("complete", state);
        var history = await Cli("history", "--json", "--url", url, "--token", ReadToken);
        var kinds = JsonDocument.Parse(history.Output).RootElement.EnumerateArray()
            .Select(static e => (Kind: e.GetProperty("kind").GetString(), Actor: e.GetProperty("actor").GetString())).Reverse().ToList();
        Assert.Equal(["rollout_start", "rollout_step", "rollout_complete"], kinds.Where(static k => k.Kind is "rollout_start" or "rollout_step" or "rollout_complete").Select(static k => k.Kind));
        Assert.All(kinds.Where(static k => k.Kind is "rollout_step" or "rollout_complete"), static k => Assert.Equal("system", k.Actor));
    }

    [Fact]
    public async Task Serve_InvalidConfig_Exit78ListingEveryProblem()
    {
        var path = Path.Combine(_directory.FullName, "bad.json");
        await File.WriteAllTextAsync(path, """{"Cutover": {"Listen": "nowhere", "Upstreams": {"unified": {"Url": "http://127.0.0.1:9/u"}}, "Privacy": {"UserKeys": "clear"}}}""",
            TestContext.Current.CancellationToken);

        var run = await Cli("serve", "--config", path);

        Assert.Equal(78, run.ExitCode);
        Assert.Contains("Cutover:Listen: 'nowhere'", run.Error);
        Assert.Contains("Cutover:Privacy:UserKeys: 'clear'", run.Error);
        Assert.Contains("Cutover:Domains:jobs:Upstream: 'jobs' is not configured", run.Error);
    }

    private Task<CutoverProcess> Cli(params string[] args) => CutoverProcess.RunAsync(_directory.FullName, Timeout, args);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, params Msg[] messages)
    {
        var body = WebhookBuilder.Of(messages);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.Add("X-Hub-Signature-256", RouterHarness.Signer.Sign(body));
        return await http.PostAsync("webhook", content);
    }

    private string WriteConfig(JsonObject? rollout = null)
    {
        var upstreams = new JsonObject();
        foreach (var name in RecordingUpstreams.Names)
        {
            upstreams[name] = new JsonObject { ["Url"] = _upstreams.UrlOf(name) };
        }

        var config = new JsonObject
        {
            ["Cutover"] = new JsonObject
            {
                ["AppSecret"] = RouterHarness.AppSecret,
                ["Upstreams"] = upstreams,
                ["Store"] = new JsonObject { ["ConnectionString"] = $"Data Source={Database}" },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(
                        new JsonObject { ["Name"] = "alice", ["Token"] = OperateToken, ["Role"] = "operate" },
                        new JsonObject { ["Name"] = "dashboard", ["Token"] = ReadToken, ["Role"] = "read" }),
                },
            },
            // Start-up's own lines (store, webhook threads) are checked; the rest would be noise.
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Cutover.Server.Hosting.CutoverInitializer"] = "Information" },
            },
        };
        if (rollout is not null)
        {
            config["Cutover"]!["Rollout"] = rollout;
            config["Cutover"]!["Health"] = new JsonObject { ["MinRequests"] = 5, ["LatencyMinRequests"] = 5, ["RecentWindow"] = "00:01:00" };
            config["Cutover"]!["DecisionLog"] = new JsonObject { ["FlushInterval"] = "00:00:00" };
        }

        var path = Path.Combine(_directory.FullName, "cutover.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private long CountDecisions()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM webhook_routing_logs";
        return (long)command.ExecuteScalar()!;
    }
}
