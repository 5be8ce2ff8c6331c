using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Cutover.EndToEnd.Tests.Support;
using Cutover.Testing;
using Microsoft.Data.Sqlite;

namespace Cutover.EndToEnd.Tests;

/// <summary>
/// `cutover serve` on its SQLite store as a separate process: one of the store's files turns unwritable under load
/// (issue 13, item 9: made immutable with <c>chattr +i</c>, which refuses every write to the file, including a write to
/// a page of it mapped in memory), and another process wants the same file.
/// </summary>
public sealed class SqliteStoreProcessTests : IAsyncLifetime
{
    private const string ReadToken = "e2e-read-token-0123456";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private RecordingUpstreams _upstreams = null!;
    private DirectoryInfo _directory = null!;
    private readonly List<string> _immutable = [];

    public async ValueTask InitializeAsync()
    {
        _upstreams = await RecordingUpstreams.StartAsync(TestContext.Current.CancellationToken);
        _directory = Directory.CreateTempSubdirectory("cutover-e2e-fault-");
    }

    public async ValueTask DisposeAsync()
    {
        // Never leave an immutable file behind: the folder could not be deleted, by this test or anyone.
        foreach (var path in _immutable)
        {
            await ChattrAsync("-i", path);
        }

        await _upstreams.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Theory]
    [InlineData("cutover.db-shm")]
    [InlineData("cutover.db-wal")]
    [InlineData("cutover.db")]
    public async Task Serve_StoreFileTurnsImmutableUnderLoad_KeepsServingLogsItAndLosesNoDecision(string file)
    {
        // arrange: a server with traffic, its decisions written
        var config = WriteConfig();
        await using var server = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.ListeningAsync(Timeout)) };
        var sent = await SendAsync(http, server, 0, 20);
        await WaitAllWrittenAsync(http, server, sent);

        var path = Path.Combine(_directory.FullName, file);
        if (!File.Exists(path))
        {
            // A store that keeps its wal-index in memory has no -shm file: one left by an earlier version must not matter.
            await File.WriteAllBytesAsync(path, new byte[32 * 1024], TestContext.Current.CancellationToken);
        }

        if (await ChattrAsync("+i", path) is { } refused)
        {
            Assert.Skip($"chattr +i is refused here ({refused.Trim()}): the test needs root on a file system with the immutable flag (ext4, xfs, btrfs), not tmpfs");
        }

        _immutable.Add(path);
        long failures;
        try
        {
            // act: traffic goes on while the file cannot be written; routing does not need the store
            sent = await SendAsync(http, server, sent, 100);

            // Until every decision is written (the file is not on the write path), or the log's writes have failed more
            // often than a writer that gives a batch up after four refusals would allow without losing one.
            await Eventually.WaitAsync(async () => (await StatusAsync(http, server)).Written == sent || await DecisionLogFailuresAsync(http, server) >= 6,
                Timeout, "the decision log to write, or to fail six times");
            failures = await DecisionLogFailuresAsync(http, server);
            sent = await SendAsync(http, server, sent, 20);
        }
        finally
        {
            await ChattrAsync("-i", path);
            _immutable.Remove(path);
        }

        // assert: still serving; what could not be written waited and is written now; the failure was logged, and its end
        sent = await SendAsync(http, server, sent, 20);
        await WaitAllWrittenAsync(http, server, sent);
        Assert.Equal(new DecisionLog(sent, 0, 0), await StatusAsync(http, server));
        Assert.Equal(sent, _upstreams.Requests.Count);
        TestContext.Current.TestOutputHelper?.WriteLine($"{failures} failed writes during the fault; the server's log:\n{server.Output}");
        if (failures > 0)
        {
            var logged = new Regex(@"warn: Cutover\.Server\.Cluster\.StoreAvailability\[2005\]\s+Store unavailable to decision_log: "
                + @"SqliteException \(SQLite code \d+: (disk I/O error|attempt to write a readonly database)\)");
            Assert.True(logged.IsMatch(server.Output) && server.Output.Contains("Store available again to decision_log", StringComparison.Ordinal),
                $"expected the store's failure and its end in the log ({failures} failures):\n{server.Output}");
        }
    }

    [Fact]
    public async Task Serve_AnotherProcessOpensTheSameStore_RefusedAtOnceNamingTheServer()
    {
        // arrange
        var config = WriteConfig();
        await using var server = CutoverProcess.Start(_directory.FullName, "serve", "--config", config, "--listen", "http://127.0.0.1:0");
        await server.ListeningAsync(Timeout);

        // act: a migration and a second server on the same file, as an operator might try
        var clock = Stopwatch.StartNew();
        var migrate = await CutoverProcess.RunAsync(_directory.FullName, Timeout, "migrate", "--config", config);
        var second = await CutoverProcess.RunAsync(_directory.FullName, Timeout, "serve", "--config", config, "--listen", "http://127.0.0.1:0");

        // assert: both refused with the reason and who holds the file, without waiting out SQLite's 30 s busy timeout
        var expected = $"the SQLite store '{Path.Combine(_directory.FullName, "cutover.db")}' is in use by another process (pid {server.Id}): "
            + "a SQLite store is opened by one process at a time";
        Assert.True(migrate.ExitCode == 69 && migrate.Error.Contains(expected, StringComparison.Ordinal), $"migrate: {migrate.ExitCode}\n{migrate.Output}\n{migrate.Error}");
        Assert.True(second.ExitCode == 69 && second.Error.Contains(expected, StringComparison.Ordinal), $"serve: {second.ExitCode}\n{second.Output}\n{second.Error}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"took {clock.Elapsed}");
        Assert.False(server.HasExited);
    }

    private static async Task<int> SendAsync(HttpClient http, CutoverProcess server, int sent, int count)
    {
        for (var i = 0; i < count; i++, sent++)
        {
            var body = WebhookBuilder.Of(Msg.Text($"2507889{sent:D5}", sent % 2 == 0 ? "looking for a job" : "apartment for rent"));
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            content.Headers.Add("X-Hub-Signature-256", RouterHarness.Signer.Sign(body));
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync("webhook", content, TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw await DiedAsync(server, ex);
            }

            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        return sent;
    }

    private static async Task WaitAllWrittenAsync(HttpClient http, CutoverProcess server, int sent)
    {
        try
        {
            await Eventually.WaitAsync(async () => (await StatusAsync(http, server)).Written == sent, Timeout, $"{sent} decisions written");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; last status {await StatusAsync(http, server)}\n{server.Output}", ex);
        }
    }

    /// <summary>How many writes of the decision log have failed in a row, as <c>/readyz</c> says (0 when ready).</summary>
    private static async Task<long> DecisionLogFailuresAsync(HttpClient http, CutoverProcess server)
    {
        string body;
        try
        {
            body = await http.GetStringAsync("readyz", TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw await DiedAsync(server, ex);
        }

        var failing = Regex.Match(body, @"store \(decision_log\): failing since \S+ \((\d+) failed calls");
        return failing.Success ? long.Parse(failing.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private sealed record DecisionLog(long Written, long Dropped, long Failed);

    private static async Task<DecisionLog> StatusAsync(HttpClient http, CutoverProcess server)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/status")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", ReadToken) },
        };
        string json;
        try
        {
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            json = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw await DiedAsync(server, ex);
        }

        var log = JsonDocument.Parse(json).RootElement.GetProperty("decision_log");
        return new DecisionLog(log.GetProperty("written").GetInt64(), log.GetProperty("dropped").GetInt64(), log.GetProperty("failed").GetInt64());
    }

    /// <summary>What to say when the server stopped answering: it died (with which signal), or it hangs.</summary>
    private static async Task<Exception> DiedAsync(CutoverProcess server, Exception inner)
    {
        try
        {
            await Eventually.WaitAsync(() => server.HasExited, TimeSpan.FromSeconds(5), "cutover serve to exit");
        }
        catch (TimeoutException)
        {
            return new InvalidOperationException($"cutover serve stopped answering:\n{server.Output}\n{server.Error}", inner);
        }

        var signal = server.ExitCode > 128 ? $", signal {server.ExitCode - 128}" : string.Empty;
        return new InvalidOperationException($"cutover serve died (exit code {server.ExitCode}{signal}):\n{server.Output}\n{server.Error}", inner);
    }

    /// <returns>null when it worked, else what chattr said.</returns>
    private static async Task<string?> ChattrAsync(string flag, string path)
    {
        var info = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(flag);
        info.ArgumentList.Add(path);
        try
        {
            using var chattr = Process.Start(info)!;
            var error = await chattr.StandardError.ReadToEndAsync();
            await chattr.WaitForExitAsync();
            return chattr.ExitCode == 0 ? null : error.Length > 0 ? error : $"exit code {chattr.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }

    private string WriteConfig()
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
                ["Store"] = new JsonObject { ["ConnectionString"] = $"Data Source={Path.Combine(_directory.FullName, "cutover.db")}" },
                ["Admin"] = new JsonObject
                {
                    ["Tokens"] = new JsonArray(new JsonObject { ["Name"] = "dashboard", ["Token"] = ReadToken, ["Role"] = "read" }),
                },
            },
            // Warnings, and the line that says the store is back.
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Cutover.Server.Cluster.StoreAvailability"] = "Information" },
            },
        };
        var path = Path.Combine(_directory.FullName, "cutover.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }
}
